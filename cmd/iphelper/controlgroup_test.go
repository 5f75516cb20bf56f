package main

import (
	"errors"
	"os/user"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iphelper/iphelper/relay/control"
)

func TestControlGroup(t *testing.T) {
	lookup := func(name string) (*user.Group, error) {
		if name == "iphelper" {
			return &user.Group{Name: name, Gid: "997"}, nil
		}
		return nil, errors.New("group: unknown group " + name)
	}
	tests := []struct {
		name     string
		arg      string
		explicit bool
		want     control.Group
		warning  string
		err      string
	}{
		{name: "default found", arg: "iphelper", want: control.Group{Name: "iphelper", GID: 997}},
		{name: "numeric gid", arg: "4242", explicit: true, want: control.Group{Name: "4242", GID: 4242}},
		{name: "empty: owner-only", arg: "", explicit: true},
		{name: "default, daemon not a member", arg: "iphelper", warning: `the daemon is not in group "iphelper": the control socket is owner-only, there are no read-only operators`},
		{name: "default missing", arg: "ops", warning: `no group "ops": the control socket is owner-only, there are no read-only operators`},
		{name: "named and missing", arg: "ops", explicit: true, err: `--control-group "ops": group: unknown group ops`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			member := func(uint32) bool { return tt.name != "default, daemon not a member" }
			got, warning, err := controlGroup(tt.arg, tt.explicit, lookup, member)
			if errText(err) != tt.err {
				t.Fatalf("error %q, want %q", errText(err), tt.err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("group (-want +got):\n%s", diff)
			}
			if warning != tt.warning {
				t.Errorf("warning %q, want %q", warning, tt.warning)
			}
		})
	}
}

// errText is err's text, "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
