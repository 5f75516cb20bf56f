package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Load reads and validates the config file at path.
func Load(path string) (*Config, error) { return LoadWithFlags(path, Flags{}) }

// Parse validates the config file contents data.
func Parse(data []byte) (*Config, error) { return ParseWithFlags(data, Flags{}) }

// LoadWithFlags reads the config file at path, merges the command-line
// flags f into it (see the package documentation for the precedence) and
// validates the result. An empty path means "no file: flags only".
func LoadWithFlags(path string, f Flags) (*Config, error) {
	src := &source{}
	if path != "" {
		data, err := readFile(path)
		if err != nil {
			return nil, err
		}
		var derr error
		if src, derr = decodeSource(data); src == nil {
			return nil, inFile(derr, path)
		} else if derr != nil {
			return nil, inFile(src.withBuild(derr, f), path)
		}
	}
	cfg, err := build(src.raw, f, os.Hostname)
	if err != nil {
		return nil, inFile(src.annotate(err), path)
	}
	for i, w := range cfg.Warnings {
		cfg.Warnings[i] = src.positioned(w, path)
	}
	return cfg, nil
}

// inFile names the config file in the positions of err's problems.
func inFile(err error, path string) error {
	errs := unjoin(err)
	setFile(errs, path)
	return errors.Join(errs...)
}

// ParseWithFlags merges the flags f into the config file contents data and
// validates the result; nil or empty data means "no file: flags only".
// The error, if any, lists every problem found, one per line, each naming
// the key or flag and the interface it is about.
func ParseWithFlags(data []byte, f Flags) (*Config, error) {
	src, err := decodeSource(data)
	switch {
	case src == nil:
		return nil, err
	case err != nil:
		return nil, src.withBuild(err, f)
	}
	cfg, err := build(src.raw, f, os.Hostname)
	if err != nil {
		return nil, src.annotate(err)
	}
	for i, w := range cfg.Warnings {
		cfg.Warnings[i] = src.positioned(w, "")
	}
	return cfg, nil
}

// readFile reads a config file of at most maxFileSize bytes.
func readFile(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read config file: %w", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("failed to read config file %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("config file %s is larger than %d bytes", path, maxFileSize)
	}
	return data, nil
}

// build merges and validates a decoded file and flags, with the host name
// lookup handed in (os.Hostname outside tests).
func build(raw rawFile, f Flags, hostname func() (string, error)) (*Config, error) {
	var errs errList
	cfg := &Config{}
	buildGlobals(cfg, raw, f, hostname, &errs)
	var failover bool
	cfg.Failover, failover = buildFailover(raw.Failover, f, &errs)
	cfg.Interfaces = buildInterfaces(raw, f, &errs)
	resolveFailoverScopes(cfg, failover, &errs)
	buildLeaseStore(cfg, raw, f, &errs)
	if failover && cfg.Etcd != nil {
		errs.addf("", "lease-store: etcd and failover: exclude each other: the nodes of a site share the etcd store instead of pairing")
	}
	checkHelperSets(cfg.Interfaces, &errs)
	checkStamps(cfg.Interfaces, cfg.Hostname, &errs)
	if err := errs.join(); err != nil {
		return nil, err
	}
	cfg.Warnings = warnings(cfg, f)
	return cfg, nil
}

// buildGlobals fills the daemon-wide settings: a flag wins over the file,
// the file over the default.
func buildGlobals(cfg *Config, raw rawFile, f Flags, hostname func() (string, error), errs *errList) {
	cfg.MaxHops = pickInt(f.MaxHops, "--max-hops", raw.MaxHops, "max-hops", DefaultMaxHops, 1, MaxMaxHops, errs)
	cfg.MaxPacketSize = pickInt(f.MaxPacketSize, "--max-packet-size", raw.MaxPacketSize, "max-packet-size",
		DefaultMaxPacketSize, MinMaxPacketSize, MaxMaxPacketSize, errs)
	cfg.Log.Level = pickWord(f.LogLevel, "--log-level", raw.Log.Level, "log: level",
		DefaultLogLevel, []string{"debug", "info", "warn", "error"}, errs)
	cfg.Log.Format = pickWord(f.LogFormat, "--log-format", raw.Log.Format, "log: format",
		DefaultLogFormat, []string{"text", "json"}, errs)
	cfg.LeaseDB = pickLeaseDB(f.LeaseDB, raw.LeaseDB, errs)
	pickHelperRate(cfg, f.HelperRate, raw, errs)
	pickPollRate(cfg, f.PollAbove, raw.PollAbove, errs)
	if raw.Hostname != nil && *raw.Hostname != "" {
		cfg.Hostname = *raw.Hostname
		return
	}
	name, err := hostname()
	if err == nil && name == "" {
		err = fmt.Errorf("empty host name")
	}
	if err != nil {
		errs.addf("", "hostname: failed to get the host name (set hostname: in the config file): %w", err)
	}
	cfg.Hostname = name
}

// pickInt returns the flag, else the file value, else def, checking that
// the one chosen is within [lo, hi].
func pickInt(flag *int, fk string, file *int, key string, def, lo, hi int, errs *errList) int {
	v, where := def, ""
	switch {
	case flag != nil:
		v, where = *flag, fk
	case file != nil:
		v, where = *file, key
	}
	if v < lo || v > hi {
		errs.addf("", "%s: %d is out of range %d..%d", where, v, lo, hi)
	}
	return v
}

// pickWord returns the flag, else the file value, else def, checking that
// the one chosen is one of words.
func pickWord(flag *string, fk string, file *string, key string, def string, words []string, errs *errList) string {
	v, where := def, ""
	switch {
	case flag != nil:
		v, where = *flag, fk
	case file != nil:
		v, where = *file, key
	}
	for _, w := range words {
		if v == w {
			return v
		}
	}
	errs.addf("", "%s: unknown value %q: want one of %v", where, v, words)
	return v
}

// pickLeaseDB returns the lease database path from the flag, else the
// file, else the default. It must be absolute: the daemon's working
// directory is no place to look for it.
func pickLeaseDB(flag, file *string, errs *errList) string {
	v, where := DefaultLeaseDB, ""
	switch {
	case flag != nil:
		v, where = *flag, "--lease-db: "
	case file != nil:
		v, where = *file, "lease-db: "
	}
	switch {
	case v == "":
		errs.addf(where, "must not be empty")
	case strings.ContainsRune(v, 0):
		errs.addf(where, "%q holds a NUL byte", v)
	case !filepath.IsAbs(v):
		errs.addf(where, "%q is not an absolute path", v)
	}
	return v
}
