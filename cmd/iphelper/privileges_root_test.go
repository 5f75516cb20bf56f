package main

import (
	"errors"
	"testing"
)

func TestCheckNotRoot(t *testing.T) {
	tests := []struct {
		name      string
		euid      int
		allowRoot bool
		want      error
	}{
		{name: "root refused", euid: 0, want: errRoot},
		{name: "root allowed", euid: 0, allowRoot: true},
		{name: "unprivileged user", euid: 65534},
		{name: "unprivileged user, flag given", euid: 1000, allowRoot: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkNotRoot(tt.euid, tt.allowRoot); !errors.Is(got, tt.want) {
				t.Errorf("checkNotRoot(%d, %v) = %v, want %v", tt.euid, tt.allowRoot, got, tt.want)
			}
		})
	}
}
