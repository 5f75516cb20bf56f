package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// keaCSV is the start of a Kea 2.2 memfile written in the lab: one record
// per lease written, the same address again at each renewal.
const keaCSV = `address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context
203.0.113.10,02:62:00:00:00:00,01:02:62:00:00:00:00,3600,1796060229,1,0,0,,0,
203.0.113.11,02:62:00:00:00:01,01:02:62:00:00:00:01,3600,1796060229,1,0,0,,0,
203.0.113.10,02:62:00:00:00:00,01:02:62:00:00:00:00,3600,1796060230,1,0,0,,0,
`

func TestKeaRecords(t *testing.T) {
	tests := []struct {
		name           string
		in             string
		records, addrs int
		wantErr        string
	}{
		{name: "renewals", in: keaCSV, records: 3, addrs: 2},
		{name: "header only", in: "address,hwaddr\n", records: 0, addrs: 0},
		{name: "empty", in: "", wantErr: "kea's lease file has no header line"},
		{name: "not a lease file", in: "hello\n", wantErr: "kea's lease file has no header line"},
		{name: "torn line", in: keaCSV + "203.0.113\n", wantErr: `kea's lease file: line 5 is no lease record: "203.0.113"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			records, addrs, err := keaRecords(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]int{tt.records, tt.addrs}, []int{records, addrs}); diff != "" {
				t.Errorf("records, addresses (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBoundLeases(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int
		wantErr string
	}{
		{name: "bound and offered", in: `[{"address":"203.0.113.10","state":"bound"},{"address":"203.0.113.11","state":"offered"},{"address":"203.0.113.12","state":"bound"}]`, want: 2},
		{name: "none", in: `[]`, want: 0},
		{name: "not json", in: "Error: dial unix", wantErr: "failed to parse iphelper show leases --json: invalid character 'E' looking for beginning of value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := boundLeases(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("bound leases (-want +got):\n%s", diff)
			}
		})
	}
}
