package landscape

import (
	"errors"
	"testing"
)

// TestParseSpec: ParseSpec reads catalogue specs with the grammar Parse uses (the same errors with
// the same columns), Set replaces a parameter in place or appends it, and String writes a spec
// that Parse reads back to the same parameters.
func TestParseSpec(t *testing.T) {
	s, ok, err := ParseSpec(" pwq(ha=4, hb = 2,a=-1 ,b=0) ")
	if !ok || err != nil || s.Name != "pwq" || len(s.Args) != 4 || s.Args[1] != (SpecArg{"hb", "2"}) || s.Args[2] != (SpecArg{"a", "-1"}) {
		t.Fatalf("ParseSpec: %+v %v %v", s, ok, err)
	}
	s.Set("hb", 3)
	s.Set("k", 0.5)
	if got := s.String(); got != "pwq(ha=4,hb=3,a=-1,b=0,k=0.5)" {
		t.Fatalf("Set/String: %q", got)
	}
	l, err := Parse(s.String(), 0)
	if err != nil || l.Params["hb"] != 3 || l.Params["k"] != 0.5 || l.Params["a"] != -1 {
		t.Fatalf("Parse(%q): %v %v", s.String(), l, err)
	}
	for _, bare := range []string{"doublewell", "doublewell()", " doublewell( ) "} {
		s, ok, err := ParseSpec(bare)
		if !ok || err != nil || s.Name != "doublewell" || len(s.Args) != 0 || s.String() != "doublewell" {
			t.Fatalf("ParseSpec(%q): %+v %v %v", bare, s, ok, err)
		}
	}
	// Whatever Parse reads as a catalogue spec, ParseSpec reads, and String writes it back to the
	// same parameters.
	for _, spec := range []string{"doublewell(k=2)", "pwq(ha=4,hb=2,a=-1,b=0)", "styblinski-tang(d=10,k=1)", "tilted(c=0.2, l0=1)",
		"zhu2d(sx=30)", "muller-brown(k=0.5)", "twowell(hs=4,hf=1,hb=8,dl=0.5)", "doublewell(k=2*pi)", "pwq()", "pwq(a = -(1+1), b=1e-3)"} {
		want, err := Parse(spec, 0)
		if err != nil {
			t.Fatalf("Parse(%q): %v", spec, err)
		}
		s, ok, err := ParseSpec(spec)
		if !ok || err != nil {
			t.Fatalf("ParseSpec(%q): %v %v", spec, ok, err)
		}
		got, err := Parse(s.String(), 0)
		if err != nil || len(got.Params) != len(want.Params) {
			t.Fatalf("Parse(%q) after ParseSpec(%q): %v", s.String(), spec, err)
		}
		for k, v := range want.Params {
			if got.Params[k] != v {
				t.Errorf("%q → %q: parameter %s = %g, want %g", spec, s.String(), k, got.Params[k], v)
			}
		}
	}
	// Expressions are not catalogue specs.
	for _, expr := range []string{"x^4/4 - x^2/2", "(x^2-1)^2 + y^2", "nosuchentry(k=1)", ""} {
		if _, ok, err := ParseSpec(expr); ok || err != nil {
			t.Fatalf("ParseSpec(%q) = ok %v, %v; want an expression", expr, ok, err)
		}
	}
	// Malformed argument lists: the same error, column included, as Parse.
	for _, bad := range []string{"pwq(", "pwq(ha)", "pwq(ha=1,)", "pwq(zz=1)", "pwq(ha=1,ha=2)", "pwq x", "doublewell(k=1"} {
		_, ok, err := ParseSpec(bad)
		_, perr := Parse(bad, 0)
		var e, pe *Error
		if !ok || !errors.As(err, &e) || !errors.As(perr, &pe) || *e != *pe {
			t.Errorf("ParseSpec(%q) = %v, %v; Parse says %v", bad, ok, err, perr)
		}
	}
}
