package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"
)

// manCommand returns the hidden "iphelper man": print the man page
// iphelper(8), in roff, generated from the command tree (the .deb ships it
// as /usr/share/man/man8/iphelper.8.gz).
func manCommand() *cli.Command {
	return &cli.Command{
		Name:   "man",
		Usage:  "print the iphelper(8) man page (roff), generated from the commands and flags",
		Hidden: true,
		Action: func(c *cli.Context) error {
			page, err := manPage(c.App)
			if err != nil {
				return cli.Exit(err.Error(), 1)
			}
			if _, err := io.WriteString(c.App.Writer, page); err != nil {
				return cli.Exit(fmt.Sprintf("failed to print the man page: %v", err), 1)
			}
			return nil
		},
	}
}

// manPage renders app as the man page iphelper(8): urfave/cli's NAME,
// SYNOPSIS, DESCRIPTION, GLOBAL OPTIONS and COMMANDS with every flag, then
// the hand-written FILES, SIGNALS, EXIT STATUS, SYSTEMD and SEE ALSO. app
// is only read.
func manPage(app *cli.App) (string, error) {
	doc := &cli.App{
		Name:            app.Name,
		Usage:           app.Usage,
		Description:     manDescription,
		Flags:           app.Flags,
		Commands:        app.Commands,
		HideHelp:        app.HideHelp,
		HideHelpCommand: app.HideHelpCommand,
	}
	page, err := doc.ToManWithSection(8)
	if err != nil {
		return "", fmt.Errorf("failed to generate the man page: %w", err)
	}
	return page + manSections, nil
}

// manDescription is the man page's DESCRIPTION, in the markdown that
// urfave/cli hands to go-md2man.
const manDescription = `**iphelper** relays DHCPv4 between the clients on its downstream interfaces and the
DHCP servers named as helper addresses, like Cisco IOS **ip helper-address**: it sets
giaddr, adds the relay agent information option (option 82, RFC 3046) and delivers the
replies to the clients (RFC 1542, RFC 2131). Where a fallback pool is configured, an
embedded DHCP server leases addresses from a split scope while the helpers do not answer.

It is configured by a YAML file (**--config**; the reference, with every key and its
default, is /usr/share/doc/iphelper/iphelper.yaml.example) and by flags that mirror IOS
for the simple case, for example **iphelper run --interface eth1 --helper-address
198.51.100.2**. **iphelper check-config** validates a configuration and prints it with
every default filled in; **show**, **clear**, **debug**, **reload** and **failover** talk to
the running daemon over its control socket. **iphelper completion bash** prints a bash completion script.`

// manSections are the sections after COMMANDS, in roff.
const manSections = `
.SH FILES
.TP
.I /etc/iphelper/iphelper.yaml
The configuration of the packaged service. As installed it names no downstream interface,
so check-config rejects it ("no downstream interfaces") and the service does not start
until an interface is added.
.TP
.I /usr/share/doc/iphelper/iphelper.yaml.example
The reference configuration: every key, its default and its IOS equivalent.
.TP
.I /var/lib/iphelper/leases.db
The fallback servers' leases (lease-db), written before each ACK leaves.
.TP
.I /run/iphelper/control.sock
The control socket of the show, clear, debug, reload and failover commands; owner-only.
.SH SIGNALS
.TP
.B SIGHUP
Reload the configuration file. A valid file is applied without a restart, and interfaces
whose settings did not change keep their sockets; a file that check-config would reject
(also one whose fallback scope does not fit its interface's subnet) is logged with its
errors and the running configuration stays. The one key a running daemon cannot apply,
log.format, is logged, and
.B iphelper reload
prints it.
.TP
.BR SIGTERM ", " SIGINT
Close the sockets and exit.
.SH EXIT STATUS
0 after a stop by signal, or success; 1 when the relay cannot work (missing capabilities,
UDP port 67 or the metrics address in use), a command to the daemon fails, or check-config
finds the configuration invalid; 2 when the command line is wrong (an unknown command or
flag, a flag value that does not parse, an argument where none is taken, a listen address
or socket path that cannot be one) or run is given an invalid configuration. run checks
all of this before it starts anything, and the unit does not restart on status 2
(RestartPreventExitStatus=2): the same command line would fail again.
.SH SYSTEMD
The Debian package installs
.I iphelper.service
(Type=notify: it reports READY=1 once its sockets are open), which runs
.B iphelper run --config /etc/iphelper/iphelper.yaml
as the system user
.I iphelper
with only the capabilities CAP_NET_RAW (packet sockets, ARP probes) and
CAP_NET_BIND_SERVICE (UDP port 67), after
.B iphelper check-config
has accepted the file. The package neither enables nor starts it: edit the configuration,
then run
.BR "systemctl enable --now iphelper" .
.B systemctl reload iphelper
checks the file and sends SIGHUP.
.SH SEE ALSO
.BR systemctl (1),
.BR systemd.exec (5),
.BR dhcrelay (8),
.BR kea-dhcp4 (8)
`
