package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

type fakeConfig struct {
	hash       string
	ok, failed uint64
}

func (f fakeConfig) ReloadStats() (string, uint64, uint64) { return f.hash, f.ok, f.failed }

func TestConfigMetrics(t *testing.T) {
	reg := newRegistry(t, NewCollector(testStatus(), Options{Config: fakeConfig{hash: "0123456789ab", ok: 2, failed: 1}}))
	want := `
# HELP iphelper_config_info Always 1; hash identifies the running configuration (effective YAML, SHA-256, 12 hex digits).
# TYPE iphelper_config_info gauge
iphelper_config_info{hash="0123456789ab"} 1
# HELP iphelper_config_reloads_total Configuration reloads by result: success, or failure (rejected; the running one stayed).
# TYPE iphelper_config_reloads_total counter
iphelper_config_reloads_total{result="failure"} 1
iphelper_config_reloads_total{result="success"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "iphelper_config_info", "iphelper_config_reloads_total"); err != nil {
		t.Error(err)
	}
}
