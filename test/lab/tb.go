package lab

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// TB is the part of testing.TB the lab uses. *testing.T and *testing.B satisfy
// it; Main supplies one for programs that are not tests.
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
	Failed() bool
	TempDir() string
}

// Main runs fn with a lab outside of go test (the demo). Temporary files go under
// dir, logf receives the lab's log lines. A lab failure (what would be Fatalf in
// a test) ends fn and is returned as the error; everything the lab started is
// stopped and every namespace it made is removed before Main returns, also when
// fn panics.
func Main(dir string, logf func(format string, args ...any), fn func(l *Lab)) (err error) {
	m := &mainTB{dir: dir, logf: logf}
	defer func() {
		r := recover()
		if r != nil {
			f, ok := r.(fatal)
			if !ok {
				m.runCleanups()
				panic(r)
			}
			m.mu.Lock()
			m.failed = true
			m.mu.Unlock()
			err = errors.New(string(f))
		}
		m.runCleanups()
	}()
	fn(New(m))
	return nil
}

// fatal is the panic value mainTB.Fatalf uses to unwind to Main.
type fatal string

// mainTB implements TB for Main.
type mainTB struct {
	dir  string
	logf func(format string, args ...any)

	mu       sync.Mutex
	failed   bool
	n        int
	cleanups []func()
}

var _ TB = (*mainTB)(nil)

func (m *mainTB) Helper() {}

func (m *mainTB) Logf(format string, args ...any) { m.logf(format, args...) }

func (m *mainTB) Fatalf(format string, args ...any) { panic(fatal(fmt.Sprintf(format, args...))) }

func (m *mainTB) Failed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.failed
}

func (m *mainTB) Cleanup(f func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cleanups = append(m.cleanups, f)
}

func (m *mainTB) TempDir() string {
	m.mu.Lock()
	m.n++
	dir := filepath.Join(m.dir, fmt.Sprintf("%03d", m.n))
	m.mu.Unlock()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		m.Fatalf("failed to create temporary directory: %v", err)
	}
	return dir
}

// runCleanups runs the registered cleanups last first, as testing does. A
// cleanup that fails is logged and the others still run.
func (m *mainTB) runCleanups() {
	for {
		m.mu.Lock()
		if len(m.cleanups) == 0 {
			m.mu.Unlock()
			return
		}
		f := m.cleanups[len(m.cleanups)-1]
		m.cleanups = m.cleanups[:len(m.cleanups)-1]
		m.mu.Unlock()
		m.runCleanup(f)
	}
}

func (m *mainTB) runCleanup(f func()) {
	defer func() {
		if r := recover(); r != nil {
			m.mu.Lock()
			m.failed = true
			m.mu.Unlock()
			m.logf("cleanup failed: %v", r)
		}
	}()
	f()
}
