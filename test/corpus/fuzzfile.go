package corpus

import (
	"bytes"
	"fmt"
)

// fuzzHeader starts every file of a fuzz corpus (Go's internal/fuzz
// encoding, version 1).
const fuzzHeader = "go test fuzz v1\n"

// MarshalSeed encodes the arguments of one fuzz input as `go test` writes
// them under testdata/fuzz: the header line, then one Go expression per
// argument. It takes the argument types the project's fuzz targets use:
// []byte, byte (uint8), uint16 and bool.
func MarshalSeed(args ...any) ([]byte, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("failed to encode fuzz seed: no arguments")
	}
	b := bytes.NewBufferString(fuzzHeader)
	for i, a := range args {
		switch v := a.(type) {
		case []byte:
			fmt.Fprintf(b, "[]byte(%q)\n", v)
		case byte:
			fmt.Fprintf(b, "byte(%q)\n", v)
		case uint16, bool:
			fmt.Fprintf(b, "%T(%v)\n", v, v)
		default:
			return nil, fmt.Errorf("failed to encode fuzz seed: argument %d: unsupported type %T", i, a)
		}
	}
	return b.Bytes(), nil
}
