package config

import (
	"log/slog"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPolicy(t *testing.T) {
	tests := []struct {
		name string
		want Policy
	}{
		{name: "replace", want: PolicyReplace},
		{name: "keep", want: PolicyKeep},
		{name: "drop", want: PolicyDrop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePolicy(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParsePolicy (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.name, got.String()); diff != "" {
				t.Errorf("String (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePolicyError(t *testing.T) {
	_, err := ParsePolicy("Replace")
	if err == nil {
		t.Fatal("no error")
	}
	if diff := cmp.Diff(`unknown policy "Replace": want keep, replace or drop`, err.Error()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("Policy(7)", Policy(7).String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSlogLevel(t *testing.T) {
	tests := []struct {
		level string
		want  slog.Level
	}{
		{level: "debug", want: slog.LevelDebug},
		{level: "info", want: slog.LevelInfo},
		{level: "warn", want: slog.LevelWarn},
		{level: "error", want: slog.LevelError},
	}
	for _, tt := range tests {
		t.Run(tt.level, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Log{Level: tt.level}.SlogLevel()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
