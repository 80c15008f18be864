package reproduce

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kramers-sim/kramers/host/store"
)

// Write writes report.md and results.json into dir (figures are already there).
func Write(rep *Report, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reproduce: %w", err)
	}
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results.json: %w", err)
	}
	if err := store.WriteFileAtomic(filepath.Join(dir, "results.json"), append(data, '\n')); err != nil {
		return err
	}
	return store.WriteFileAtomic(filepath.Join(dir, "report.md"), []byte(Markdown(rep)))
}

func num(v F) string {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "—"
	}
	return fmt.Sprintf("%.4g", f)
}

func pm(c *Check) string {
	s := num(c.Measured)
	if sg := float64(c.Sigma); !math.IsNaN(sg) && sg > 0 {
		s += " ± " + fmt.Sprintf("%.2g", sg)
	}
	return s
}

func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

// Markdown renders the report.
func Markdown(rep *Report) string {
	var b strings.Builder
	mode := "full"
	if rep.Quick {
		mode = "quick"
	}
	fmt.Fprintf(&b, "# kramers reproduce: the validation table (docs/theory.md §5)\n\n")
	fmt.Fprintf(&b, "Backend **%s** (%s), %s mode, scale %g, kramers %s, started %s, %.1f s in all.\n\n",
		rep.Backend, rep.Renderer, mode, float64(rep.Scale), rep.Version, rep.Started.Format("2006-01-02 15:04:05 MST"), float64(rep.Seconds))
	writeCheckTable(&b, rep)
	for _, cs := range rep.Cases {
		writeCase(&b, cs)
	}
	return b.String()
}

// writeCheckTable writes the count of marks and the table of every case's checks.
func writeCheckTable(b *strings.Builder, rep *Report) {
	pass, fail, other := 0, 0, 0
	for _, c := range rep.Checks() {
		switch c.Status {
		case StatusPass:
			pass++
		case StatusFail, StatusError:
			fail++
		default:
			other++
		}
	}
	fmt.Fprintf(b, "**%d passed, %d failed, %d without a pass mark or not run.** Each mark below is computed from the numbers in its row "+
		"(measured ± σ against predicted under the tolerance); σ is the statistical standard error (σ(τ̂)/τ̂ ≈ 1/√E for E escapes, "+
		"Garwood intervals in the run tables). Times are continuous time t = iterations·η unless a column says iterations.\n\n", pass, fail, other)
	b.WriteString("| case | check | claim | measured ± σ | predicted | tolerance | result |\n|---|---|---|---|---|---|---|\n")
	for _, cs := range rep.Cases {
		if cs.Status == StatusNotRun {
			fmt.Fprintf(b, "| %s | %s | — | — | — | — | not run |\n", cs.ID, cell(cs.Title))
			continue
		}
		for _, c := range cs.Checks {
			res := c.Status
			if c.Status == StatusFail && c.Require != nil && !*c.Require {
				res += " (" + c.RequireWhy + ")"
			}
			if c.Status == StatusPass {
				res = "**pass**"
			} else if c.Status == StatusFail {
				res = "**" + res + "**"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", cs.ID, cell(c.Name), cell(c.Claim), pm(c), num(c.Predicted), cell(c.ToleranceText()), res)
		}
	}
}

// writeCase writes a case's section: its setup, the notes of its checks, its runs, notes and
// figures.
func writeCase(b *strings.Builder, cs *Case) {
	fmt.Fprintf(b, "\n## %s: %s\n\n", cs.ID, cs.Title)
	if cs.Status == StatusNotRun {
		b.WriteString("Not run")
		if len(cs.Notes) > 0 {
			b.WriteString(": " + strings.Join(cs.Notes, "; "))
		}
		b.WriteString(".\n")
		return
	}
	if cs.Error != "" {
		fmt.Fprintf(b, "**Error:** %s\n\n", cs.Error)
	}
	if cs.Setup != "" {
		fmt.Fprintf(b, "%s\n\n", cs.Setup)
	}
	fmt.Fprintf(b, "Wall time %.1f s.\n\n", float64(cs.Seconds))
	for _, c := range cs.Checks {
		if c.Note != "" {
			fmt.Fprintf(b, "- %s: %s\n", c.Name, c.Note)
		}
	}
	writeRunTable(b, cs.Runs)
	for _, n := range cs.Notes {
		fmt.Fprintf(b, "\n%s\n", n)
	}
	for _, f := range cs.Figures {
		fmt.Fprintf(b, "\n![%s](%s)\n", f, f)
	}
}

// writeRunTable writes the table of a case's runs.
func writeRunTable(b *strings.Builder, runs []*Run) {
	if len(runs) == 0 {
		return
	}
	b.WriteString("\n| run | landscape | noise | η | B or T | particles | iterations | escaped after t0 (all) | burn-in t0 | τ̂ (time) | 95% CI | τ̂ (iterations) | theory τ (time) | target met |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range runs {
		b.WriteString(runRow(r))
	}
}

// runRow is one row of a case's run table.
func runRow(r *Run) string {
	bt := "B=" + num(r.Batch)
	if r.Noise == "sgld" {
		bt = "T=" + num(r.Temp)
	}
	met := "yes"
	if r.Target > 0 && !r.Reached {
		met = fmt.Sprintf("**no** (< %d within the budget)", r.Target)
	} else if r.Target == 0 {
		met = "fixed size"
	}
	var th []string
	for _, k := range slices.Sorted(maps.Keys(r.Theory)) {
		th = append(th, k+" "+num(r.Theory[k]))
	}
	tau := num(r.Tau)
	if !r.Resolved && r.Note != "" {
		tau += " (" + cell(r.Note) + ")"
	}
	return fmt.Sprintf("| %s | `%s` | %s | %s | %s | %d | %d | %d (%d) | %s | %s | [%s, %s] | %s | %s | %s |\n",
		cell(r.Label), r.Landscape, r.Noise, num(r.LR), bt, r.Particles, r.Steps, r.Escaped, r.EscapedTotal, num(r.BurnIn), tau,
		num(r.TauCI95[0]), num(r.TauCI95[1]), num(r.TauIterations), strings.Join(th, ", "), met)
}
