package metrics

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestServer(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(testStatus(), Options{}))
	s := NewServer("127.0.0.1:0", Handler(reg), nil)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	select {
	case <-s.Ready():
	case err := <-errc:
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + s.Addr().String() + Path)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", Path, resp.Status)
	}
	for _, line := range []string{
		`iphelper_relay_requests_received_total{interface="eth1"} 12`,
		`iphelper_relay_drops_total{interface="eth1",reason="max_hops"} 2`,
		`iphelper_helper_sent_total{helper="198.51.100.2"} 10`,
	} {
		if !strings.Contains(string(body), line+"\n") {
			t.Errorf("scrape lacks %q", line)
		}
	}
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("Run after cancel = %v, want nil", err)
	}
}

func TestServerBindError(t *testing.T) {
	s := NewServer("203.0.113.1:9", Handler(prometheus.NewRegistry()), nil)
	err := s.Run(context.Background())
	if want := "failed to listen for metrics on 203.0.113.1:9: listen tcp 203.0.113.1:9: bind: cannot assign requested address"; err == nil || err.Error() != want {
		t.Errorf("Run = %v, want %q", err, want)
	}
}
