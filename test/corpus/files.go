package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Seed is one file of a fuzz corpus.
type Seed struct {
	// Path is the file, relative to the module root:
	// <package>/testdata/fuzz/<FuzzName>/<name>.
	Path string
	// Data is the file's content.
	Data []byte
}

// Seeds returns every seed file the captures give, sorted by path.
func Seeds(caps []Capture) ([]Seed, error) {
	c, err := build(caps)
	if err != nil {
		return nil, err
	}
	var seeds []Seed
	for _, t := range targets() {
		for _, in := range t.inputs(c) {
			b, err := MarshalSeed(in.args...)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", t.fuzz, in.name, err)
			}
			seeds = append(seeds, Seed{Path: filepath.Join(corpusDir(t), in.name), Data: b})
		}
	}
	slices.SortFunc(seeds, func(a, b Seed) int { return strings.Compare(a.Path, b.Path) })
	return seeds, nil
}

// corpusDir is a target's corpus directory, relative to the module root.
func corpusDir(t target) string {
	return filepath.Join(t.pkg, "testdata", "fuzz", t.fuzz)
}

// Generated reports whether a corpus file name is one this package writes:
// it starts with the name of a captured program. Other files (crashers the
// fuzzer found, seeds written by hand) are never touched.
func Generated(name string) bool {
	for _, s := range slices.Concat(clients(), servers(), []string{"iphelper"}) {
		if strings.HasPrefix(name, s+"-") {
			return true
		}
	}
	return false
}

// generatedFiles lists the generated files present in the targets' corpus
// directories under root, relative to root.
func generatedFiles(root string) ([]string, error) {
	var paths []string
	for _, t := range targets() {
		dir := corpusDir(t)
		ents, err := os.ReadDir(filepath.Join(root, dir))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("failed to list the corpus of %s: %w", t.fuzz, err)
		}
		for _, e := range ents {
			if e.Type().IsRegular() && Generated(e.Name()) {
				paths = append(paths, filepath.Join(dir, e.Name()))
			}
		}
	}
	return paths, nil
}

// WriteSeeds writes seeds under root and removes the generated files that
// are no longer among them.
func WriteSeeds(root string, seeds []Seed) error {
	want := map[string]bool{}
	for _, s := range seeds {
		want[s.Path] = true
		path := filepath.Join(root, s.Path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("failed to write seed %s: %w", s.Path, err)
		}
		if err := os.WriteFile(path, s.Data, 0o644); err != nil {
			return fmt.Errorf("failed to write seed %s: %w", s.Path, err)
		}
	}
	have, err := generatedFiles(root)
	if err != nil {
		return err
	}
	for _, p := range have {
		if !want[p] {
			if err := os.Remove(filepath.Join(root, p)); err != nil {
				return fmt.Errorf("failed to remove stale seed %s: %w", p, err)
			}
		}
	}
	return nil
}

// CheckSeeds compares the seed files under root with seeds and describes
// each difference: a file missing, different or left over.
func CheckSeeds(root string, seeds []Seed) ([]string, error) {
	var problems []string
	want := map[string]bool{}
	for _, s := range seeds {
		want[s.Path] = true
		b, err := os.ReadFile(filepath.Join(root, s.Path))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			problems = append(problems, s.Path+": missing")
		case err != nil:
			return nil, fmt.Errorf("failed to read seed %s: %w", s.Path, err)
		case !bytes.Equal(b, s.Data):
			problems = append(problems, s.Path+": differs from what the captures give")
		}
	}
	have, err := generatedFiles(root)
	if err != nil {
		return nil, err
	}
	for _, p := range have {
		if !want[p] {
			problems = append(problems, p+": not made from the captures (stale?)")
		}
	}
	return problems, nil
}

// ModuleRoot returns the directory of the go.mod that holds dir.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("failed to find the module root: %w", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("failed to find the module root: no go.mod above %s", dir)
		}
	}
}
