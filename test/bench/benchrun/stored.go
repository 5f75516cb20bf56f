package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// stored is what a server's lease file held at the end of a cell: the
// evidence that the leases went to the file, not only to memory.
type stored struct {
	FileBytes int64 `json:"file_bytes"`
	// Leases is the number of distinct leases on file: iphelper's bound
	// leases (as `iphelper show leases` reports them from its store), or
	// the distinct addresses of Kea's CSV file.
	Leases int `json:"leases"`
	// Records is the number of lease records Kea appended to its CSV file:
	// one per lease written. 0 for iphelper (bbolt updates in place).
	Records int `json:"records,omitempty"`
}

// checkStored fills c.Stored from the lease file of t's server, which is
// still running and idle.
func (b *bench) checkStored(c *cell, t target) error {
	var path string
	var st stored
	switch t.row.Kind {
	case kindFallback:
		path = b.o.fallbackDB()
		out, err := command(b.o.iphelper, "show", "leases", "--json", "--control-socket", b.o.controlSocket())
		if err != nil {
			return err
		}
		if st.Leases, err = boundLeases(out); err != nil {
			return err
		}
	case kindKea:
		path = b.o.keaLeases()
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("failed to read kea's lease file: %w", err)
		}
		if st.Records, st.Leases, err = keaRecords(string(data)); err != nil {
			return err
		}
	default:
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("failed to read the size of %s's lease file: %w", t.row.Name, err)
	}
	st.FileBytes = fi.Size()
	c.Stored = &st
	return nil
}

// boundLeases counts the bound leases in `iphelper show leases --json`
// output.
func boundLeases(out string) (int, error) {
	var leases []struct {
		State string `json:"state"`
	}
	if err := json.Unmarshal([]byte(out), &leases); err != nil {
		return 0, fmt.Errorf("failed to parse iphelper show leases --json: %w", err)
	}
	n := 0
	for _, l := range leases {
		if l.State == "bound" {
			n++
		}
	}
	return n, nil
}

// keaRecords counts the lease records of a Kea memfile (CSV: a header line
// starting with "address,", then one line per lease written) and the
// distinct addresses among them.
func keaRecords(csv string) (records, addrs int, err error) {
	lines := strings.Split(strings.TrimRight(csv, "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "address,") {
		return 0, 0, fmt.Errorf("kea's lease file has no header line")
	}
	seen := make(map[string]bool)
	for i, line := range lines[1:] {
		addr, _, ok := strings.Cut(line, ",")
		if !ok || addr == "" {
			return 0, 0, fmt.Errorf("kea's lease file: line %d is no lease record: %q", i+2, line)
		}
		seen[addr] = true
		records++
	}
	return records, len(seen), nil
}
