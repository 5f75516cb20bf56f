package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// source is a decoded config file: the raw values and the YAML node tree
// they came from, which knows where each value is written.
type source struct {
	raw  rawFile
	root *yaml.Node // the document's top mapping; nil for an empty file
}

// decodeSource strictly decodes one YAML document. Every problem the file
// has at the YAML level (syntax, unknown keys, wrong types, a second
// document) is returned, each as a *PosError, joined; positions have no
// file name yet (see setFile). When the problems are only unknown or
// repeated keys and YAML 1.1 booleans, src is returned too, decoded
// without them, so that the caller can check its values in the same run;
// otherwise src is nil. Empty input is an empty file.
func decodeSource(data []byte) (src *source, err error) {
	src = &source{}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("config is %d bytes, more than %d", len(data), maxFileSize)
	}
	// The YAML decoder turns its own failures into errors; this guards
	// the "never panic on any input" contract against a bug in it.
	defer func() {
		if r := recover(); r != nil {
			src, err = nil, fmt.Errorf("failed to decode YAML: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return src, nil
		}
		return nil, syntaxError(data, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxError(data, err)
	default:
		return nil, &PosError{Pos: Position{Line: extra.Line, Column: extra.Column},
			Err: errors.New("a second YAML document: the config file is one document (remove the --- line)")}
	}
	if len(doc.Content) == 0 {
		return src, nil
	}
	src.root = doc.Content[0]
	var errs []error
	checkNode(src.root, rawFileType, "", &errs)
	for _, e := range errs {
		var k kindError
		if errors.As(e, &k) {
			return nil, joinCapped(errs)
		}
	}
	if err := src.root.Decode(&src.raw); err != nil && len(errs) == 0 {
		// checkNode accepts only what decodes; this is a bug guard.
		return nil, fmt.Errorf("failed to decode YAML: %w", cleanTypeError(err))
	}
	if len(errs) > 0 {
		return src, errors.Join(errs...)
	}
	return src, nil
}

// yamlLineError matches the decoder's syntax errors.
var yamlLineError = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns the YAML parser's error into a *PosError at the line
// that holds the problem. The parser reports the line where the enclosing
// construct began (a mis-indented key deep in a list comes back as line
// 1), so the line is found again: it is the shortest prefix of the file
// that fails with the same message.
func syntaxError(data []byte, err error) error {
	m := yamlLineError.FindStringSubmatch(err.Error())
	msg, from := strings.TrimPrefix(err.Error(), "yaml: "), 1
	if m != nil {
		msg = m[2]
		from, _ = strconv.Atoi(m[1])
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	line := culpritLine(lines, msg, max(from-1, 1))
	text := ""
	if line <= len(lines) {
		text = string(lines[line-1])
	}
	indent := len(text) - len(strings.TrimLeft(text, " \t"))
	if tab := strings.IndexByte(text[:indent], '\t'); tab >= 0 {
		return &PosError{Pos: Position{Line: line, Column: tab + 1},
			Err: errors.New("a tab in the indentation: YAML indents with spaces only")}
	}
	return &PosError{Pos: Position{Line: line, Column: indent + 1},
		Err: fmt.Errorf("YAML syntax: %s (check this line's indentation against the lines above it, and its quotes and brackets)", msg)}
}

// culpritLine returns the first line n ≥ from such that lines[:n] fail to
// parse with message msg: a binary search, as every longer prefix fails
// the same way once the problem is in it.
func culpritLine(lines [][]byte, msg string, from int) int {
	fails := func(n int) bool {
		var doc yaml.Node
		dec := yaml.NewDecoder(bytes.NewReader(bytes.Join(lines[:n], nil)))
		for {
			err := dec.Decode(&doc)
			if err == nil {
				continue
			}
			if errors.Is(err, io.EOF) {
				return false
			}
			m := yamlLineError.FindStringSubmatch(err.Error())
			return m != nil && m[2] == msg || strings.TrimPrefix(err.Error(), "yaml: ") == msg
		}
	}
	lo, hi := min(from, len(lines)), len(lines)
	if hi == 0 || !fails(hi) {
		return max(from, 1)
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return max(lo, 1)
}

// locate returns where the file sets what a build error is about, read
// from the error's leading path: `interface "eth1": `, `interfaces[2]: `,
// then keys such as `fallback.pools[1]: `, as deep as the file has them.
// ok is false for errors about flags or about nothing the file holds.
func (s *source) locate(msg string) (Position, bool) {
	if s == nil || s.root == nil {
		return Position{}, false
	}
	n, found := s.root, false
	if rest, ok := strings.CutPrefix(msg, "interface "); ok {
		name, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return Position{}, false
		}
		unq, _ := strconv.Unquote(name)
		if n = interfaceNode(s.root, unq); n == nil {
			return Position{}, false
		}
		msg, found = strings.TrimPrefix(rest[len(name):], ": "), true
		// The run-time checks name the link address they check against.
		if m := linkAddrStep.FindString(msg); m != "" {
			msg = msg[len(m):]
		}
	}
	for {
		m := pathStep.FindStringSubmatch(msg)
		if m == nil {
			break
		}
		next := mapValue(n, m[1])
		if next != nil && m[2] != "" {
			next = seqItem(next, m[2])
		}
		if next == nil {
			break
		}
		n, found, msg = next, true, msg[len(m[0]):]
	}
	return Position{Line: n.Line, Column: n.Column}, found
}

// pathStep matches one key of an error's leading path: "key: ", "key.",
// "key[2]: " or "key[2].".
var pathStep = regexp.MustCompile(`^([a-z0-9-]+)(?:\[(\d+)\])?(?:: |\.)`)

// linkAddrStep matches the "address 203.0.113.1/25: " that the run-time
// checks put after the interface.
var linkAddrStep = regexp.MustCompile(`^address [0-9./]+: `)

// interfaceNode returns the interfaces: entry named name, or nil.
func interfaceNode(root *yaml.Node, name string) *yaml.Node {
	list := mapValue(root, "interfaces")
	if list == nil || list.Kind != yaml.SequenceNode {
		return nil
	}
	for _, it := range list.Content {
		if v := mapValue(it, "name"); v != nil && v.Kind == yaml.ScalarNode && v.Value == name {
			return it
		}
	}
	return nil
}

// mapValue returns the value of key in mapping n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// seqItem returns item idx (decimal) of sequence n, or nil.
func seqItem(n *yaml.Node, idx string) *yaml.Node {
	i, err := strconv.Atoi(idx)
	if err != nil || n.Kind != yaml.SequenceNode || i < 0 || i >= len(n.Content) {
		return nil
	}
	return n.Content[i]
}

// withBuild returns the decode problems derr followed by what building the
// file's values finds, so that one run reports both.
func (s *source) withBuild(derr error, f Flags) error {
	errs := unjoin(derr)
	if _, err := build(s.raw, f, os.Hostname); err != nil {
		errs = append(errs, unjoin(s.annotate(err))...)
	}
	return joinCapped(errs)
}

// annotate gives every error of a build a file position where the file
// holds what it is about.
func (s *source) annotate(err error) error {
	if err == nil {
		return nil
	}
	errs := unjoin(err)
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
		if p, ok := s.locate(e.Error()); ok {
			out[i] = &PosError{Pos: p, Err: e}
		}
	}
	return errors.Join(out...) // build capped them
}
