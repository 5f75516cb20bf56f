package config

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// MaxTemplateLen is the longest value a template may expand to: an option-82
// sub-option carries its length in one byte (RFC 3046 §2.0).
const MaxTemplateLen = 255

// hexPrefix marks a template given as raw bytes.
const hexPrefix = "hex:"

// Template is a compiled circuit-id, remote-id or subscriber-id template.
// The zero Template is empty (IsZero reports true): for a subscriber-id it
// means "send none". A Template is immutable and safe for concurrent use.
//
// Text templates are literal text with variables in braces:
//
//	{ifname}    the interface name, e.g. "eth0.10"
//	{ifindex}   the interface index, in decimal
//	{vlan}      the 802.1Q VLAN id in decimal, "0" if the link is no VLAN
//	{parent}    the parent link of a VLAN, e.g. "eth0"; empty if none
//	{mac}       the interface MAC address, aa:bb:cc:dd:ee:ff
//	{addr}      the interface's primary IPv4 address, e.g. 203.0.113.1
//	{hostname}  the relay's host name (Config.Hostname)
//
// "{{" and "}}" stand for literal braces; an unknown variable is an error
// that names it. Example: "{hostname}:{ifname}" or "vlan{vlan}".
//
// Binary templates start with "hex:" followed by pairs of hex digits, which
// may be separated by ':', '-' or ' ', and by two variables only:
//
//	{vlan16}    the VLAN id as 2 bytes, big-endian (0 if the link is no VLAN)
//	{ifindex32} the interface index as 4 bytes, big-endian
//
// Example, a Cisco-style binary circuit-id: "hex:00:04{vlan16}01:01".
type Template struct {
	src   string
	hex   bool
	parts []part
}

// part is one piece of a template: literal bytes, or a variable when v is
// not varNone.
type part struct {
	lit string
	v   variable
}

// variable is a template variable.
type variable int

const (
	varNone variable = iota
	varIfName
	varIfIndex
	varVLAN
	varParent
	varMAC
	varAddr
	varHostname
	varVLAN16
	varIfIndex32
)

// textVar returns the variable called name in a text template.
func textVar(name string) (variable, bool) {
	switch name {
	case "ifname":
		return varIfName, true
	case "ifindex":
		return varIfIndex, true
	case "vlan":
		return varVLAN, true
	case "parent":
		return varParent, true
	case "mac":
		return varMAC, true
	case "addr":
		return varAddr, true
	case "hostname":
		return varHostname, true
	}
	return varNone, false
}

// hexVar returns the variable called name in a hex: template.
func hexVar(name string) (variable, bool) {
	switch name {
	case "vlan16":
		return varVLAN16, true
	case "ifindex32":
		return varIfIndex32, true
	}
	return varNone, false
}

// TemplateVars are the values a Template is expanded with, describing one
// downstream interface.
type TemplateVars struct {
	IfName   string
	IfIndex  int
	VLAN     int    // 802.1Q VLAN id; 0 = the link is no VLAN
	Parent   string // parent link of a VLAN, "" if none
	MAC      net.HardwareAddr
	Addr     netip.Addr // the interface's primary IPv4 address
	Hostname string
}

// ParseTemplate compiles s. The empty string gives the zero Template.
func ParseTemplate(s string) (Template, error) {
	if s == "" {
		return Template{}, nil
	}
	var (
		parts []part
		err   error
	)
	isHex := strings.HasPrefix(s, hexPrefix)
	if isHex {
		parts, err = parseHex(s[len(hexPrefix):], len(hexPrefix))
	} else {
		parts, err = parseText(s)
	}
	if err != nil {
		return Template{}, fmt.Errorf("template %q: %w", s, err)
	}
	if n := literalLen(parts); n > MaxTemplateLen {
		return Template{}, fmt.Errorf("template %q: %d bytes of fixed text, more than %d", s, n, MaxTemplateLen)
	}
	return Template{src: s, hex: isHex, parts: parts}, nil
}

// parseText compiles a text template.
func parseText(s string) ([]part, error) {
	var (
		parts []part
		lit   strings.Builder
	)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '{' && strings.HasPrefix(s[i:], "{{"), c == '}' && strings.HasPrefix(s[i:], "}}"):
			lit.WriteByte(c)
			i++
		case c == '}':
			return nil, fmt.Errorf("unmatched '}' at offset %d (write \"}}\" for a literal brace)", i)
		case c == '{':
			name, end, err := varName(s, i)
			if err != nil {
				return nil, err
			}
			v, ok := textVar(name)
			if !ok {
				return nil, unknownTextVar(name)
			}
			if lit.Len() > 0 {
				parts = append(parts, part{lit: lit.String()})
				lit.Reset()
			}
			parts = append(parts, part{v: v})
			i = end
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 {
		parts = append(parts, part{lit: lit.String()})
	}
	return parts, nil
}

// parseHex compiles the body of a hex: template; off is the body's offset
// in the whole template, for error messages.
func parseHex(s string, off int) ([]part, error) {
	var (
		parts  []part
		digits strings.Builder
		lit    []byte
	)
	flush := func(at int) error {
		if digits.Len()%2 != 0 {
			return fmt.Errorf("odd number of hex digits %q before offset %d", digits.String(), at+off)
		}
		b, err := hex.DecodeString(digits.String())
		if err != nil {
			return fmt.Errorf("bad hex digits %q before offset %d: only 0-9 and a-f", digits.String(), at+off)
		}
		lit = append(lit, b...)
		digits.Reset()
		return nil
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isHexDigit(c):
			digits.WriteByte(c)
		case c == ':' || c == '-' || c == ' ':
			if err := flush(i); err != nil {
				return nil, err
			}
		case c == '{':
			if err := flush(i); err != nil {
				return nil, err
			}
			name, end, err := varName(s, i)
			if err != nil {
				return nil, err
			}
			v, ok := hexVar(name)
			if !ok {
				return nil, unknownHexVar(name)
			}
			if len(lit) > 0 {
				parts = append(parts, part{lit: string(lit)})
				lit = nil
			}
			parts = append(parts, part{v: v})
			i = end
		default:
			return nil, fmt.Errorf("unexpected %q at offset %d in hex: template (want hex digits, ':', '-', ' ', {vlan16} or {ifindex32})", c, i+off)
		}
	}
	if err := flush(len(s)); err != nil {
		return nil, err
	}
	if len(lit) > 0 {
		parts = append(parts, part{lit: string(lit)})
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("hex: template has no bytes")
	}
	return parts, nil
}

// varName returns the name of the variable whose '{' is at s[i], and the
// offset of its closing '}'.
func varName(s string, i int) (string, int, error) {
	n := strings.IndexByte(s[i+1:], '}')
	if n < 0 {
		return "", 0, fmt.Errorf("unclosed '{' at offset %d (write \"{{\" for a literal brace)", i)
	}
	return s[i+1 : i+1+n], i + 1 + n, nil
}

// unknownTextVar is the error for a variable a text template may not hold.
func unknownTextVar(name string) error {
	if _, ok := hexVar(name); ok {
		return fmt.Errorf("variable {%s} is only allowed in hex: templates", name)
	}
	return fmt.Errorf("unknown variable {%s}", name)
}

// unknownHexVar is the error for a variable a hex: template may not hold.
func unknownHexVar(name string) error {
	if _, ok := textVar(name); ok {
		return fmt.Errorf("variable {%s} is not allowed in hex: templates (only {vlan16} and {ifindex32})", name)
	}
	return fmt.Errorf("unknown variable {%s}", name)
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// literalLen is the number of fixed bytes in parts.
func literalLen(parts []part) int {
	n := 0
	for _, p := range parts {
		n += len(p.lit)
	}
	return n
}

// IsZero reports whether t is the empty template.
func (t Template) IsZero() bool { return t.src == "" }

// String returns the template's source text.
func (t Template) String() string { return t.src }

// Equal reports whether t and u were compiled from the same source.
func (t Template) Equal(u Template) bool { return t.src == u.src }

// Expand returns the template's value for one interface. It fails when the
// value is empty or longer than MaxTemplateLen bytes, or when a binary
// variable does not fit its width. The zero Template expands to an error.
func (t Template) Expand(v TemplateVars) ([]byte, error) {
	out := make([]byte, 0, 64)
	for _, p := range t.parts {
		if p.v == varNone {
			out = append(out, p.lit...)
			continue
		}
		var err error
		if out, err = appendVar(out, p.v, v); err != nil {
			return nil, fmt.Errorf("failed to expand template %q for %q: %w", t.src, v.IfName, err)
		}
	}
	switch {
	case len(out) == 0:
		return nil, fmt.Errorf("template %q expands to nothing for %q", t.src, v.IfName)
	case len(out) > MaxTemplateLen:
		return nil, fmt.Errorf("template %q expands to %d bytes for %q, more than %d", t.src, len(out), v.IfName, MaxTemplateLen)
	}
	return out, nil
}

// appendVar appends the value of variable x to b.
func appendVar(b []byte, x variable, v TemplateVars) ([]byte, error) {
	switch x {
	case varIfName:
		return append(b, v.IfName...), nil
	case varIfIndex:
		return strconv.AppendInt(b, int64(v.IfIndex), 10), nil
	case varVLAN:
		return strconv.AppendInt(b, int64(v.VLAN), 10), nil
	case varParent:
		return append(b, v.Parent...), nil
	case varMAC:
		return append(b, v.MAC.String()...), nil
	case varAddr:
		if !v.Addr.IsValid() {
			return b, nil
		}
		return v.Addr.AppendTo(b), nil
	case varHostname:
		return append(b, v.Hostname...), nil
	case varVLAN16:
		if v.VLAN < 0 || v.VLAN > 0xffff {
			return nil, fmt.Errorf("vlan %d does not fit {vlan16}", v.VLAN)
		}
		return binary.BigEndian.AppendUint16(b, uint16(v.VLAN)), nil
	case varIfIndex32:
		if v.IfIndex < 0 || int64(v.IfIndex) > 0xffffffff {
			return nil, fmt.Errorf("ifindex %d does not fit {ifindex32}", v.IfIndex)
		}
		return binary.BigEndian.AppendUint32(b, uint32(v.IfIndex)), nil
	}
	return nil, fmt.Errorf("unknown variable %d", x)
}
