package main

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseList(t *testing.T) {
	in := `# a comment
name: one
file: relay/x.go
find: if a >= b {
replace: if a > b {
pkg: ./relay
run: ^TestX$

name: deleting a line
file: relay/y.go
find: 	return
replace:
pkg: ./relay
run: .
`
	got, err := parseList(in)
	if err != nil {
		t.Fatal(err)
	}
	want := []mutation{
		{Name: "one", File: "relay/x.go", Find: "if a >= b {", Replace: "if a > b {", Pkg: "./relay", Run: "^TestX$"},
		{Name: "deleting a line", File: "relay/y.go", Find: "\treturn", Replace: "", Pkg: "./relay", Run: "."},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseList (-want +got):\n%s", diff)
	}
}

func TestParseListErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"missing run", "name: a\nfile: f\nfind: x\npkg: ./p\n", "entry ending at line 4: name, file, find, pkg and run are required"},
		{"unknown key", "name: a\nfiel: f\n", `line 2: unknown key "fiel"`},
		{"no colon", "name a\n", `line 1: want "key: value"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseList(tt.in)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestListParses: the repository's own list parses, and every entry's
// snippet is found exactly once in its file, so no entry has gone stale.
func TestListParses(t *testing.T) {
	b, err := os.ReadFile("mutations.txt")
	if err != nil {
		t.Fatal(err)
	}
	muts, err := parseList(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(muts) < 30 {
		t.Errorf("%d mutations in the list, want the issue's and at least 20 more", len(muts))
	}
	for _, m := range muts {
		src, err := os.ReadFile("../../" + m.File)
		if err != nil {
			t.Errorf("%s: %v", m.Name, err)
			continue
		}
		if n := strings.Count(string(src), m.Find); n != 1 {
			t.Errorf("%s: snippet %q found %d times in %s, want once: update the entry to the code", m.Name, m.Find, n, m.File)
		}
		if m.Find == m.Replace {
			t.Errorf("%s: the replacement is the snippet itself", m.Name)
		}
	}
}
