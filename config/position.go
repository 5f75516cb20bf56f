package config

import (
	"errors"
	"fmt"
	"strings"
)

// Position is a place in the config file: 1-based line and column, and the
// file's path ("" when the data came without one).
type Position struct {
	File         string
	Line, Column int
}

// String returns "FILE:LINE:COLUMN", or "LINE:COLUMN" without a file, the
// form editors and compilers use, so an editor can jump to it.
func (p Position) String() string {
	if p.File == "" {
		return fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// PosError is one problem of the config file and where it is.
type PosError struct {
	Pos Position
	Err error
}

// Error returns "FILE:LINE:COLUMN: problem".
func (e *PosError) Error() string { return e.Pos.String() + ": " + e.Err.Error() }

// Unwrap returns the problem.
func (e *PosError) Unwrap() error { return e.Err }

// maxErrors caps the problems one run reports: past it, a file is
// probably not a config file at all, and the first ones are what to fix.
const maxErrors = 50

// joinCapped joins errs, at most maxErrors of them and then a line saying
// how many more there were; nil if errs is empty.
func joinCapped(errs []error) error {
	if len(errs) > maxErrors {
		more := len(errs) - maxErrors
		errs = append(errs[:maxErrors:maxErrors], fmt.Errorf("... and %d more problems", more))
	}
	return errors.Join(errs...)
}

// unjoin returns the errors an errors.Join (or one error) holds.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// setFile names file in every PosError of errs.
func setFile(errs []error, file string) {
	for _, e := range errs {
		var pe *PosError
		if errors.As(e, &pe) {
			pe.Pos.File = file
		}
	}
}

// editDistance is the Levenshtein distance between a and b, for "did you
// mean" on unknown keys.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// closest returns the word of words nearest to w, if one is near enough to
// be a likely typo: at most 2 edits, and fewer than half of w's letters.
func closest(w string, words []string) (string, bool) {
	best, bestD := "", 3
	for _, c := range words {
		if d := editDistance(strings.ToLower(w), c); d < bestD && 2*d < len(w) {
			best, bestD = c, d
		}
	}
	return best, best != ""
}
