package config

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// rawFileType is the shape every config file is checked against.
var rawFileType = reflect.TypeFor[rawFile]()

// nodeType is a value kept as YAML (an option's value: its type says how
// to read it).
var nodeType = reflect.TypeFor[optionValue]()

// checkNode checks node n against the raw type t before it is decoded, so
// that every problem is found in one run and each has a line and column:
// unknown keys (with the nearest valid key), lists where one value is
// wanted and the reverse, numbers that are not whole numbers, and
// booleans other than true and false. path is the YAML path of n, for the
// messages ("" at the top).
func checkNode(n *yaml.Node, t reflect.Type, path string, errs *[]error) {
	if n.Kind == yaml.AliasNode {
		// Checked where its anchor is; following aliases here could
		// loop or blow up (an alias bomb). The decoder bounds them.
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" || t.Kind() == reflect.Interface || t == nodeType {
		return
	}
	bad := func(format string, args ...any) {
		where := ""
		if path != "" {
			where = path + ": "
		}
		*errs = append(*errs, &PosError{Pos: Position{Line: n.Line, Column: n.Column},
			Err: kindError{fmt.Errorf("%s"+format, append([]any{where}, args...)...)}})
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			bad("want a mapping (key: value), got %s", describeNode(n))
			return
		}
		checkMapping(n, t, path, errs)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			bad("want a list ([a, b] or lines starting with -), got %s", describeNode(n))
			return
		}
		for i, it := range n.Content {
			checkNode(it, t.Elem(), fmt.Sprintf("%s[%d]", path, i), errs)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			bad("want a mapping (key: value), got %s", describeNode(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			checkNode(n.Content[i+1], t.Elem(), joinPath(path, n.Content[i].Value), errs)
		}
	default:
		if msg := checkScalar(n, t.Kind()); msg != "" {
			bad("%s", msg)
		}
	}
}

// kindError is a value of the wrong kind or type: the file cannot be
// decoded, so its values are not checked further.
type kindError struct{ error }

// checkScalar returns what is wrong with scalar node n as a value of kind
// k, or "".
func checkScalar(n *yaml.Node, k reflect.Kind) string {
	if n.Kind != yaml.ScalarNode {
		return "want a single value, got " + describeNode(n)
	}
	switch {
	case k == reflect.Bool && n.Tag != "!!bool" && isYAML11Bool(n.Value):
		return fmt.Sprintf("%q is not a boolean here: write true or false (YAML 1.2: yes, no, on and off are strings)", n.Value)
	case k == reflect.Bool && n.Tag != "!!bool":
		return fmt.Sprintf("%q is not a boolean: write true or false", n.Value)
	case k == reflect.Int && n.Tag != "!!int":
		return fmt.Sprintf("%q is not a whole number", n.Value)
	}
	return ""
}

// isYAML11Bool reports whether s was a boolean in YAML 1.1, which the
// decoder still accepts for a boolean key; the config file is YAML 1.2.
func isYAML11Bool(s string) bool {
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "on", "off":
		return true
	}
	return false
}

// checkMapping checks the keys of mapping n against struct t.
func checkMapping(n *yaml.Node, t reflect.Type, path string, errs *[]error) {
	fields := structKeys(t)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ft, ok := fields[k.Value]
		if !ok {
			*errs = append(*errs, &PosError{Pos: Position{Line: k.Line, Column: k.Column},
				Err: unknownKey(path, k.Value, fields)})
			continue
		}
		if line, dup := seen[k.Value]; dup {
			*errs = append(*errs, &PosError{Pos: Position{Line: k.Line, Column: k.Column},
				Err: fmt.Errorf("%skey %q is given twice (also line %d)", prefix(path), k.Value, line)})
			continue
		}
		seen[k.Value] = k.Line
		checkNode(v, ft, joinPath(path, k.Value), errs)
	}
}

// unknownKey says that key is not one of fields, and what was probably
// meant: a valid key a typo away, or the level where key belongs.
func unknownKey(path, key string, fields map[string]reflect.Type) error {
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	slices.Sort(names)
	if c, ok := closest(key, names); ok {
		return fmt.Errorf("%sunknown key %q (did you mean %q?)", prefix(path), key, c)
	}
	if c, ok := extends(key, names); ok {
		return fmt.Errorf("%sunknown key %q (did you mean %q?)", prefix(path), key, c)
	}
	homes := keyHomes()
	if h := homes[key]; len(h) > 0 {
		return fmt.Errorf("%sunknown key %q here: it belongs under %s (check its indentation)",
			prefix(path), key, strings.Join(h, " or "))
	}
	all := make([]string, 0, len(homes))
	for k := range homes {
		all = append(all, k)
	}
	slices.Sort(all)
	c, ok := closest(key, all)
	if !ok {
		c, ok = extends(key, all)
	}
	if ok {
		return fmt.Errorf("%sunknown key %q (did you mean %q, a key of %s?)", prefix(path), key, c, strings.Join(homes[c], " or "))
	}
	if homes := homes[key]; len(homes) > 0 {
		return fmt.Errorf("%sunknown key %q here: it belongs under %s (check its indentation)",
			prefix(path), key, strings.Join(homes, " or "))
	}
	return fmt.Errorf("%sunknown key %q: valid keys here are %s", prefix(path), key, strings.Join(names, ", "))
}

// extends returns the one of names that begins with key or that key
// begins with ("lease" for "lease-time"), if there is exactly one.
func extends(key string, names []string) (string, bool) {
	found := ""
	for _, n := range names {
		if len(key) >= 3 && (strings.HasPrefix(n, key) || strings.HasPrefix(key, n)) {
			if found != "" {
				return "", false
			}
			found = n
		}
	}
	return found, found != ""
}

// keyHomes maps every key of the config file to the places it may be
// written, e.g. "pools" to "defaults.fallback" and "interfaces[].fallback".
// It is computed once, on the first unknown key; the map is never
// modified after.
var keyHomes = sync.OnceValue(schemaHomes)

// schemaHomes computes keyHomes from the raw types.
func schemaHomes() map[string][]string {
	m := map[string][]string{}
	var walk func(t reflect.Type, path string)
	walk = func(t reflect.Type, path string) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return
		}
		home := path
		if home == "" {
			home = "the top level"
		}
		for name, ft := range structKeys(t) {
			m[name] = append(m[name], home)
			sub := joinPath(path, name)
			if ft.Kind() == reflect.Slice || ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Slice {
				sub += "[]"
			}
			walk(ft, sub)
		}
	}
	walk(rawFileType, "")
	for _, v := range m {
		slices.Sort(v)
	}
	return m
}

// structKeys maps the YAML keys of struct t (with those of inlined
// structs) to their field types.
func structKeys(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if strings.Contains(opts, "inline") {
			for k, v := range structKeys(f.Type) {
				m[k] = v
			}
			continue
		}
		if name != "" && name != "-" {
			m[name] = f.Type
		}
	}
	return m
}

// describeNode names what n is, for "want X, got Y".
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

// joinPath appends key to a YAML path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// prefix returns "path: ", or "" at the top.
func prefix(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}
