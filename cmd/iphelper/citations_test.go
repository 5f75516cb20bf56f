package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The repository explains itself: code, comments, docs, tests and scripts
// cite only what is inside the repository (docs/ above all), never a
// document that lives elsewhere or an issue number, and every docs/ page,
// section, step and path they name exists. These tests read the files of
// the repository the test binary was built from.

// outsideCitation matches a citation of something outside the repository:
// the founding design sketch, style and lab guides that were never part of
// it, a shared folder, or an issue number. The patterns are split so that
// this file does not match itself.
var outsideCitation = regexp.MustCompile(`DESIGN\.md|STYLE\.md|LAB\.md|` + `shared` + `/|[Ii]ssue #?[0-9]+`)

// docsRef matches a reference to a page of docs/, with what follows it on
// the line: a quoted section ("docs/fallback.md, "Upstream health"") or a
// step ("docs/packet-paths.md, request step 4.9").
var (
	docsRef     = regexp.MustCompile(`(?:^|[^A-Za-z0-9_./-])docs/([A-Za-z0-9_-]+\.md)`)
	docsSection = regexp.MustCompile(`docs/([A-Za-z0-9_-]+\.md), "([^"]+)"`)
	docsStep    = regexp.MustCompile(`docs/([A-Za-z0-9_-]+\.md), ([a-z]+) step ([0-9]+(?:\.[0-9]+)?)`)
)

// repoFile is one text file of the repository.
type repoFile struct {
	rel  string // slash-separated, from the root
	text string
}

// repoRoot returns the repository's root: the nearest directory at or
// above the test's working directory that holds go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("failed to find the working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("failed to find the repository root: no go.mod above the test's directory")
		}
		dir = parent
	}
}

// repoTextFiles returns every text file under root, except in .git and in
// testdata directories (captured packets and fuzz corpora are data, not
// prose), and except files over 1 MiB or holding a NUL byte (binaries).
func repoTextFiles(t *testing.T, root string) []repoFile {
	t.Helper()
	var out []repoFile
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (name == ".git" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil || info.Size() > 1<<20 {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil || bytes.IndexByte(b, 0) >= 0 {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		out = append(out, repoFile{rel: filepath.ToSlash(rel), text: string(b)})
		return nil
	})
	if err != nil {
		t.Fatalf("failed to read the repository under %s: %v", root, err)
	}
	if len(out) == 0 {
		t.Fatalf("no text files under %s", root)
	}
	return out
}

// citationsOutside returns "file:line: text" for every line of f that
// cites something outside the repository.
func citationsOutside(f repoFile) []string {
	var out []string
	for i, line := range strings.Split(f.text, "\n") {
		if outsideCitation.MatchString(line) {
			out = append(out, fmt.Sprintf("%s:%d: %s", f.rel, i+1, strings.TrimSpace(line)))
		}
	}
	return out
}

func TestOutsideCitationPattern(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{"// processRequest runs the request path of " + "DESIGN" + ".md on one", true},
		{"// forward without it (" + "DESIGN" + ".md step 3)", true},
		{"# dependencies (" + "STYLE" + ".md: staticcheck clean).", true},
		{"// The lab (see /work/" + "shared" + "/" + "LAB" + ".md): two namespaces", true},
		{"// " + "Issue" + " 4: with --metrics-listen", true},
		{"# the targets of " + "issue" + " 6; and", true},
		{"see " + "issue" + " #12", true},
		{"// forward without it (docs/packet-paths.md, request step 4.9)", false},
		{"# fuzz-deadline race (go.dev/issue/75804)", false},
		{"// a design.md of our own in lower case is not the old sketch", false},
		{"// the issue was a lost frame", false},
	}
	for _, tt := range tests {
		if got := outsideCitation.MatchString(tt.line); got != tt.want {
			t.Errorf("outsideCitation.MatchString(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
}

// TestNoCitationOutsideRepository fails when any file of the repository
// cites a document outside it or an issue number: state the requirement,
// or point into docs/ or the README, instead.
func TestNoCitationOutsideRepository(t *testing.T) {
	var found []string
	for _, f := range repoTextFiles(t, repoRoot(t)) {
		found = append(found, citationsOutside(f)...)
	}
	if len(found) > 0 {
		t.Errorf("citations of documents outside the repository or of issue numbers; point into docs/ or state the requirement instead:\n%s", strings.Join(found, "\n"))
	}
}

// TestDocsReferencesExist fails when a file names a docs/ page, a section
// of one ("docs/fallback.md, "Upstream health"") or a step of one
// ("docs/packet-paths.md, request step 4.9") that does not exist.
func TestDocsReferencesExist(t *testing.T) {
	root := repoRoot(t)
	pages := map[string]*docPage{}
	page := func(name string) *docPage {
		if p, ok := pages[name]; ok {
			return p
		}
		b, err := os.ReadFile(filepath.Join(root, "docs", name))
		var p *docPage
		if err == nil {
			p = parseDocPage(string(b))
		}
		pages[name] = p
		return p
	}
	refs := 0
	for _, f := range repoTextFiles(t, root) {
		for i, line := range strings.Split(f.text, "\n") {
			at := fmt.Sprintf("%s:%d", f.rel, i+1)
			for _, m := range docsRef.FindAllStringSubmatch(line, -1) {
				refs++
				if page(m[1]) == nil {
					t.Errorf("%s: docs/%s does not exist", at, m[1])
				}
			}
			for _, m := range docsSection.FindAllStringSubmatch(line, -1) {
				if p := page(m[1]); p != nil && !p.hasSection(m[2]) {
					t.Errorf("%s: docs/%s has no section %q", at, m[1], m[2])
				}
			}
			for _, m := range docsStep.FindAllStringSubmatch(line, -1) {
				if p := page(m[1]); p != nil && !p.steps[m[2]+" "+m[3]] {
					t.Errorf("%s: docs/%s has no %s step %s", at, m[1], m[2], m[3])
				}
			}
		}
	}
	if refs == 0 {
		t.Error("no file refers to docs/: the code's pointers to its design are gone")
	}
}

// docPage is what references can name in a docs/ page: its headings, and
// the numbered steps of each section ("request 4", "request 4.9" in the
// section headed "Request path").
type docPage struct {
	headings []string
	steps    map[string]bool
}

var (
	mdHeading = regexp.MustCompile(`^#+\s+(.+)$`)
	mdStep    = regexp.MustCompile(`^(\s*)([0-9]+)\.\s`)
)

// parseDocPage reads the headings and numbered steps of a Markdown page. A
// step numbered at the left margin is a step of the section; one indented
// under it is a sub-step ("4.9").
func parseDocPage(text string) *docPage {
	p := &docPage{steps: map[string]bool{}}
	section, top := "", ""
	for _, line := range strings.Split(text, "\n") {
		if m := mdHeading.FindStringSubmatch(line); m != nil {
			p.headings = append(p.headings, m[1])
			section, top = strings.ToLower(strings.Fields(m[1])[0]), ""
			continue
		}
		m := mdStep.FindStringSubmatch(line)
		if m == nil || section == "" {
			continue
		}
		if m[1] == "" {
			top = m[2]
			p.steps[section+" "+top] = true
		} else if top != "" {
			p.steps[section+" "+top+"."+m[2]] = true
		}
	}
	return p
}

// hasSection reports whether a heading of the page starts with name.
func (p *docPage) hasSection(name string) bool {
	for _, h := range p.headings {
		if strings.HasPrefix(h, name) {
			return true
		}
	}
	return false
}

func TestParseDocPage(t *testing.T) {
	page := parseDocPage("# Paths\n\n## Request path\n\n1. **Read.**\n2. **Decide:**\n   1. checks;\n   2. hops.\n\n" +
		"## Reply path\n\n1. Read.\n   text\n\n### Delivery (RFC 2131 §4.1)\n")
	want := map[string]bool{"request 1": true, "request 2": true, "request 2.1": true, "request 2.2": true, "reply 1": true}
	if diff := cmp.Diff(want, page.steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	for _, s := range []string{"Request path", "Delivery"} {
		if !page.hasSection(s) {
			t.Errorf("hasSection(%q) = false, want true", s)
		}
	}
	if page.hasSection("Failback") {
		t.Error(`hasSection("Failback") = true, want false`)
	}
}

// backtickPath matches a `relative/path` in a docs/ page; it is checked
// when its first element is a top-level directory of the repository.
var backtickPath = regexp.MustCompile("`([A-Za-z][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_.-]+)+)/?`")

// mdLink matches the target of a Markdown link.
var mdLink = regexp.MustCompile(`\]\(([^)#\s]+)(?:#[^)]*)?\)`)

// TestDocsPathsExist keeps docs/ current with the code: every repository
// path a docs/ page names in backquotes, and every relative link, exists.
// When a file moves, the page that walks through it moves with it.
func TestDocsPathsExist(t *testing.T) {
	root := repoRoot(t)
	checked := 0
	for _, f := range repoTextFiles(t, root) {
		if !strings.HasPrefix(f.rel, "docs/") || !strings.HasSuffix(f.rel, ".md") {
			continue
		}
		for i, line := range strings.Split(f.text, "\n") {
			at := fmt.Sprintf("%s:%d", f.rel, i+1)
			for _, m := range backtickPath.FindAllStringSubmatch(line, -1) {
				first := strings.SplitN(m[1], "/", 2)[0]
				if st, err := os.Stat(filepath.Join(root, first)); err != nil || !st.IsDir() {
					continue // not a repository path (a flag value, a system path)
				}
				checked++
				if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(m[1]))); err != nil {
					t.Errorf("%s: %s does not exist in the repository", at, m[1])
				}
			}
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				if strings.Contains(m[1], "://") {
					continue
				}
				checked++
				target := filepath.Join(root, filepath.Dir(filepath.FromSlash(f.rel)), filepath.FromSlash(m[1]))
				if _, err := os.Stat(target); err != nil {
					t.Errorf("%s: link target %s does not exist", at, m[1])
				}
			}
		}
	}
	if checked == 0 {
		t.Error("docs/ names no repository path: is docs/ missing?")
	}
}
