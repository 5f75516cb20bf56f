package lab

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Bounds of one HTTPGet.
const (
	httpTimeout = 10 * time.Second
	httpMaxBody = 8 << 20
)

// HTTPGet fetches url (http://HOST:PORT/PATH) from inside the namespace ns,
// as a scraper running there would: a daemon of the lab that listens on
// 127.0.0.1 in its namespace (iphelper's --metrics-listen) is reachable only
// from there. It returns the body of a 200 answer and fails the test on
// anything else. It may be called from any goroutine.
func (l *Lab) HTTPGet(ns, url string) string {
	l.t.Helper()
	body, err := HTTPGetIn(ns, url)
	if err != nil {
		l.t.Fatalf("%v", err)
	}
	return body
}

// HTTPGetIn is HTTPGet returning its error instead of failing a test: the
// connection is opened on a thread switched into ns (the socket stays there),
// then one HTTP/1.1 request is written and its answer read, within
// httpTimeout.
func HTTPGetIn(ns, url string) (string, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return "", fmt.Errorf("failed to GET %s in %s: %w", url, ns, err)
	}
	req.Close = true
	var conn net.Conn
	err = InNS(ns, func() error {
		c, err := net.DialTimeout("tcp", req.URL.Host, httpTimeout)
		conn = c
		return err
	})
	if err != nil {
		return "", fmt.Errorf("failed to GET %s in %s: %w", url, ns, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(httpTimeout)); err != nil {
		return "", fmt.Errorf("failed to GET %s in %s: %w", url, ns, err)
	}
	if err := req.Write(conn); err != nil {
		return "", fmt.Errorf("failed to GET %s in %s: sending the request: %w", url, ns, err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		return "", fmt.Errorf("failed to GET %s in %s: reading the answer: %w", url, ns, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, httpMaxBody))
	if err != nil {
		return "", fmt.Errorf("failed to GET %s in %s: reading the body: %w", url, ns, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("failed to GET %s in %s: %s: %.200s", url, ns, resp.Status, body)
	}
	return string(body), nil
}
