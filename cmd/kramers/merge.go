package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/kramers-sim/kramers/host"
)

// cmdMerge combines the JSON results of the shards of one run (kramers run --shard i/n) into the
// result of the whole ensemble: kramers merge a.json b.json … [--json FILE|-].
func cmdMerge(args []string) error {
	fs := newFlagSet("merge")
	jsonOut := fs.String("json", "", "write the merged result as JSON to FILE, or - for stdout")
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return parseFlags(fs, args) // the same error, worded by parseFlags
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) == 0 {
		return usageError{fmt.Errorf("merge: no shard results given; run kramers merge shard-0.json shard-1.json … [--json merged.json]")}
	}
	if err := checkOutputPath("json", *jsonOut, "merged.json"); err != nil {
		return err
	}
	var rs []*host.Result
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return usageError{fmt.Errorf("merge: cannot read %s (%v); give the --json files of kramers run --shard i/n", f, unwrapPath(err))}
		}
		var r host.Result
		if err := json.Unmarshal(data, &r); err != nil || r.Version == "" || r.Escape == nil {
			why := "it lacks version, config or escape"
			if err != nil {
				why = err.Error()
			}
			return usageError{fmt.Errorf("merge: %s is not a kramers run result (%s); give the --json files of kramers run --shard i/n", f, why)}
		}
		rs = append(rs, &r)
	}
	m, err := host.Merge(rs)
	if err != nil {
		return usageError{fmt.Errorf("merge: %v", err)}
	}
	return writeResult(m, *jsonOut)
}

func unwrapPath(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return strings.TrimSpace(err.Error())
}
