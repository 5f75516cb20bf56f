package main

import (
	"fmt"

	"github.com/iphelper/iphelper/config"
)

// flagPartner is check-config's --partner: the failover partner's config
// file.
const flagPartner = "partner"

// checkPartner loads the failover partner's config file (no flags, no
// check against this machine's links: it runs on the other node) and
// checks cfg, built from path, against it. It returns the comment line
// check-config prints on success, or the list of problems.
func checkPartner(cfg *config.Config, path, partner string) (string, error) {
	other, err := config.Load(partner)
	if err != nil {
		return "", fmt.Errorf("invalid partner configuration %s:\n%s", partner, indentLines(err.Error()))
	}
	self := path
	if self == "" {
		self = "the command line"
	}
	if err := config.CheckPair(cfg, other, self, partner); err != nil {
		return "", fmt.Errorf("failover pair mismatch between %s and %s:\n%s", self, partner, indentLines(err.Error()))
	}
	return fmt.Sprintf("# failover pair: consistent with %s (scopes matched by their addresses)\n", partner), nil
}
