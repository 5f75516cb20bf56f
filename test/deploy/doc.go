// Package deploy tests what deploy/ ships, as an administrator meets it:
//
//   - the Debian package that `make deb` (deploy/build-deb.sh) builds with
//     nfpm, installed with dpkg on this machine: its files, the iphelper
//     system user, the unit (systemd-analyze verify), nothing started and
//     nothing listening on port 67, and a purge that removes it all;
//   - the systemd unit's settings and the configuration installed in
//     /etc/iphelper, which check-config rejects until an interface is added;
//   - the relay run the way the unit runs it, in namespaces of the lab
//     (test/lab): an unprivileged user with only the unit's capabilities
//     (setpriv), serving leases through the relay and from the fallback, and
//     telling the service manager when it is ready (sd_notify).
//
// The package tests need root and skip without it, except in CI (CI=true),
// where they fail. The package test refuses to touch a machine where a
// package, user or directory named iphelper already exists.
package deploy
