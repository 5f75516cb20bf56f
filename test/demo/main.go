// Command demo shows iphelper relaying DHCP between real peers: it builds a
// client ↔ relay ↔ server lab out of network namespaces (test/lab), runs Kea
// (or ISC dhcpd) in the server namespace, iphelper (or ISC dhcrelay) in the relay
// namespace and dhclient in the client namespace, captures both sides with
// tcpdump, and tells what happened: the lease the client got and the relayed
// DISCOVER as the server saw it. Everything is removed before it exits.
//
// Run it as root through test/demo.sh, which builds iphelper first:
//
//	test/demo.sh [-relay iphelper|dhcrelay] [-server kea|dhcpd] [-v] [-- iphelper run flags…]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/iphelper/iphelper/test/lab"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		os.Exit(1)
	}
}

// options are the demo's command-line settings.
type options struct {
	relay        lab.RelayKind
	server       lab.ServerKind
	iphelper     string
	verbose      bool
	iphelperArgs []string
}

func run(args []string, stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root: it creates network namespaces (run test/demo.sh as root)")
	}
	dir, err := os.MkdirTemp("", "iphelper-demo-")
	if err != nil {
		return fmt.Errorf("failed to create a temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		for range sigs {
			fmt.Fprintln(stderr, "demo: interrupted; finishing the current step, then cleaning up")
		}
	}()

	// The lab's log goes to stderr with -v; otherwise it is kept and shown
	// only when the demo fails (it then holds every process's log).
	var mu sync.Mutex
	var kept strings.Builder
	logf := func(format string, args ...any) {
		line := fmt.Sprintf("  lab: "+format+"\n", args...)
		mu.Lock()
		defer mu.Unlock()
		if opts.verbose {
			fmt.Fprint(stderr, line)
			return
		}
		kept.WriteString(line)
	}
	err = lab.Main(dir, logf, func(l *lab.Lab) { story(l, opts, stdout) })
	if err != nil && !opts.verbose {
		mu.Lock()
		fmt.Fprint(stderr, kept.String())
		mu.Unlock()
	}
	return err
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	relay := fs.String("relay", string(lab.Iphelper), "relay to run: iphelper or dhcrelay")
	server := fs.String("server", string(lab.Kea), "DHCP server to run: kea or dhcpd")
	bin := fs.String("iphelper", "", "path of the iphelper binary (test/demo.sh builds it)")
	verbose := fs.Bool("v", false, "log every lab step")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	opts := options{
		relay: lab.RelayKind(*relay), server: lab.ServerKind(*server),
		iphelper: *bin, verbose: *verbose, iphelperArgs: fs.Args(),
	}
	switch {
	case opts.relay != lab.Iphelper && opts.relay != lab.Dhcrelay:
		return options{}, fmt.Errorf("-relay %q: want iphelper or dhcrelay", *relay)
	case opts.server != lab.Kea && opts.server != lab.Dhcpd:
		return options{}, fmt.Errorf("-server %q: want kea or dhcpd", *server)
	case opts.relay == lab.Iphelper && opts.iphelper == "":
		return options{}, fmt.Errorf("-iphelper is required with -relay iphelper (test/demo.sh passes it)")
	case opts.relay == lab.Dhcrelay && len(opts.iphelperArgs) > 0:
		return options{}, fmt.Errorf("extra arguments %q are iphelper flags; dhcrelay takes none", opts.iphelperArgs)
	}
	return opts, nil
}
