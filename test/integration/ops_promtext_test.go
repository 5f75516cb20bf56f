package integration

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"
)

// opsSample is one sample of a Prometheus text exposition.
type opsSample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// opsMetrics are the samples of one scrape.
type opsMetrics []opsSample

// parseOpsMetrics decodes the Prometheus text exposition format (version
// 0.0.4) as promhttp writes it: comment lines, and NAME[{LABELS}] VALUE
// [TIMESTAMP] lines. It is strict about what it reads, so that a malformed
// exposition fails the scenario instead of hiding a sample.
func parseOpsMetrics(text string) (opsMetrics, error) {
	var out opsMetrics
	for i, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s, err := parseOpsSample(line)
		if err != nil {
			return nil, fmt.Errorf("line %d %q: %w", i+1, line, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// parseOpsSample decodes one sample line.
func parseOpsSample(line string) (opsSample, error) {
	end := strings.IndexAny(line, "{ ")
	if end <= 0 {
		return opsSample{}, fmt.Errorf("no metric name")
	}
	s := opsSample{Name: line[:end], Labels: map[string]string{}}
	rest := line[end:]
	if rest[0] == '{' {
		var err error
		if rest, err = parseOpsLabels(rest[1:], s.Labels); err != nil {
			return opsSample{}, err
		}
	}
	fields := strings.Fields(rest)
	if len(fields) < 1 || len(fields) > 2 {
		return opsSample{}, fmt.Errorf("want a value and an optional timestamp after the name, got %q", rest)
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return opsSample{}, fmt.Errorf("bad value: %w", err)
	}
	s.Value = v
	return s, nil
}

// parseOpsLabels decodes `name="value",…}` into labels and returns what
// follows the closing brace.
func parseOpsLabels(s string, labels map[string]string) (string, error) {
	for {
		s = strings.TrimLeft(s, ",")
		if strings.HasPrefix(s, "}") {
			return s[1:], nil
		}
		eq := strings.Index(s, `="`)
		if eq <= 0 {
			return "", fmt.Errorf("bad label at %q", s)
		}
		name := s[:eq]
		val, rest, err := parseOpsQuoted(s[eq+2:])
		if err != nil {
			return "", fmt.Errorf("label %s: %w", name, err)
		}
		if _, dup := labels[name]; dup {
			return "", fmt.Errorf("label %s repeated", name)
		}
		labels[name] = val
		s = rest
	}
}

// parseOpsQuoted reads a label value up to its closing quote, undoing the
// \\, \" and \n escapes, and returns the rest.
func parseOpsQuoted(s string) (string, string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), s[i+1:], nil
		case '\\':
			if i+1 == len(s) {
				return "", "", fmt.Errorf("unterminated escape")
			}
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case '\\', '"':
				b.WriteByte(s[i])
			default:
				return "", "", fmt.Errorf("bad escape \\%c", s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", fmt.Errorf("unterminated value")
}

// value returns the value of the sample named name whose labels include
// every one of want, and whether there is one. Several matching samples
// are summed (for instance a counter asked for without its reason label).
func (m opsMetrics) value(name string, want map[string]string) (float64, bool) {
	var sum float64
	found := false
	for _, s := range m {
		if s.Name != name {
			continue
		}
		match := true
		for k, v := range want {
			if s.Labels[k] != v {
				match = false
				break
			}
		}
		if match {
			sum += s.Value
			found = true
		}
	}
	return sum, found
}

// labelNames is the set of label names used by any sample.
func (m opsMetrics) labelNames() map[string]bool {
	out := make(map[string]bool)
	for _, s := range m {
		for k := range maps.Keys(s.Labels) {
			out[k] = true
		}
	}
	return out
}

func TestOpsParseMetrics(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    opsMetrics
		wantErr string
	}{
		{
			name: "counters, gauges and comments",
			text: "# HELP a_total A.\n# TYPE a_total counter\na_total{interface=\"down0\",reason=\"max_hops\"} 3\ngo_goroutines 12\n",
			want: opsMetrics{
				{Name: "a_total", Labels: map[string]string{"interface": "down0", "reason": "max_hops"}, Value: 3},
				{Name: "go_goroutines", Labels: map[string]string{}, Value: 12},
			},
		},
		{
			name: "escapes, empty value, timestamp and exponent",
			text: `x{a="q\"b\\c\nd",b=""} 1.5e+06 1700000000000`,
			want: opsMetrics{{Name: "x", Labels: map[string]string{"a": "q\"b\\c\nd", "b": ""}, Value: 1.5e6}},
		},
		{name: "no value", text: "x{a=\"b\"}", wantErr: `line 1 "x{a=\"b\"}": want a value and an optional timestamp after the name, got ""`},
		{name: "bad value", text: "x 1,5", wantErr: `line 1 "x 1,5": bad value: strconv.ParseFloat: parsing "1,5": invalid syntax`},
		{name: "unterminated label", text: `x{a="b} 1`, wantErr: `line 1 "x{a=\"b} 1": label a: unterminated value`},
		{name: "label without quotes", text: `x{a=b} 1`, wantErr: `line 1 "x{a=b} 1": bad label at "a=b} 1"`},
		{name: "repeated label", text: `x{a="1",a="2"} 1`, wantErr: `line 1 "x{a=\"1\",a=\"2\"} 1": label a repeated`},
		{name: "bad escape", text: `x{a="\t"} 1`, wantErr: `line 1 "x{a=\"\\t\"} 1": label a: bad escape \t`},
		{name: "no name", text: " 1", wantErr: `line 1 " 1": no metric name`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseOpsMetrics(tc.text)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if diff := cmpDiff(tc.want, got); diff != "" {
				t.Errorf("samples (-want +got):\n%s", diff)
			}
		})
	}
}
