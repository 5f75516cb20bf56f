package ddns

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/miekg/dns"
)

// ErrKeyFileMode is returned for a key file that users other than its
// owner may read or write: a TSIG secret is a password.
var ErrKeyFileMode = errors.New("key file is readable or writable by group or others")

// Key is a TSIG key (RFC 8945).
type Key struct {
	Name      string // fully qualified, final dot
	Algorithm string // e.g. dns.HmacSHA256
	Secret    string // base64
}

// algorithms are the HMACs accepted (RFC 8945 §6: hmac-sha256 is
// mandatory; hmac-md5 is not offered).
var algorithms = map[string]string{
	"hmac-sha256": dns.HmacSHA256,
	"hmac-sha384": dns.HmacSHA384,
	"hmac-sha512": dns.HmacSHA512,
}

// LoadKey reads the key called name (the first one when name is "") from a
// key file in named.conf syntax, as tsig-keygen writes it:
//
//	key "name" { algorithm hmac-sha256; secret "base64"; };
//
// The file must not be readable by group or others (ErrKeyFileMode).
func LoadKey(path, name string) (Key, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Key{}, fmt.Errorf("failed to read TSIG key file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return Key{}, fmt.Errorf("TSIG key file %q (mode %04o): %w", path, st.Mode().Perm(), ErrKeyFileMode)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Key{}, fmt.Errorf("failed to read TSIG key file: %w", err)
	}
	keys, err := parseKeys(string(data))
	if err != nil {
		return Key{}, fmt.Errorf("TSIG key file %q: %w", path, err)
	}
	for _, k := range keys {
		if name == "" || k.Name == dns.Fqdn(strings.ToLower(name)) {
			return k, nil
		}
	}
	return Key{}, fmt.Errorf("TSIG key file %q: no key %q", path, name)
}

// parseKeys parses every key statement of a named.conf-style text.
func parseKeys(text string) ([]Key, error) {
	toks := tokens(text)
	var keys []Key
	for i := 0; i < len(toks); i++ {
		if toks[i] != "key" {
			continue
		}
		if i+2 >= len(toks) || toks[i+2] != "{" {
			return nil, errors.New("malformed key statement")
		}
		k := Key{Name: dns.Fqdn(strings.ToLower(strings.Trim(toks[i+1], `"`)))}
		j := i + 3
		for ; j+1 < len(toks) && toks[j] != "}"; j++ {
			switch toks[j] {
			case "algorithm":
				k.Algorithm = strings.ToLower(toks[j+1])
			case "secret":
				k.Secret = strings.Trim(toks[j+1], `"`)
			}
		}
		alg, ok := algorithms[k.Algorithm]
		if !ok {
			return nil, fmt.Errorf("key %q: algorithm %q is not one of hmac-sha256, hmac-sha384, hmac-sha512", k.Name, k.Algorithm)
		}
		if _, err := base64.StdEncoding.DecodeString(k.Secret); err != nil || k.Secret == "" {
			return nil, fmt.Errorf("key %q: secret is not base64", k.Name)
		}
		k.Algorithm = alg
		keys = append(keys, k)
		i = j
	}
	if len(keys) == 0 {
		return nil, errors.New("no key statement")
	}
	return keys, nil
}

// tokens splits named.conf text into words, quoted strings and the
// punctuation { } ;, dropping comments.
func tokens(text string) []string {
	var out []string
	for line := range strings.SplitSeq(text, "\n") {
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		line = strings.NewReplacer("{", " { ", "}", " } ", ";", " ; ").Replace(line)
		for f := range strings.FieldsSeq(line) {
			if f != ";" {
				out = append(out, f)
			}
		}
	}
	return out
}
