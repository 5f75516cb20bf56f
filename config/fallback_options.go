package config

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// OptionType is how an option's value is written in the file and encoded
// on the wire.
type OptionType int

// The option value types.
const (
	OptionAddress     OptionType = iota + 1 // one IPv4 address, 4 bytes
	OptionAddressList                       // IPv4 addresses, 4 bytes each
	OptionString                            // text, as is
	OptionU8                                // unsigned integer, 1 byte
	OptionU16                               // unsigned integer, 2 bytes, network order
	OptionU32                               // unsigned integer, 4 bytes, network order
	OptionBool                              // true or false, 1 byte 1 or 0
	OptionHex                               // bytes written in hex, "01:02:ab" or "0102ab"
	OptionDomainList                        // option 119 encoding (RFC 3397)
	OptionRoutes                            // option 121 encoding (RFC 3442)
)

// optionTypeNames are the type: words, by OptionType.
var optionTypeNames = [...]string{
	OptionAddress: "address", OptionAddressList: "address-list", OptionString: "string",
	OptionU8: "u8", OptionU16: "u16", OptionU32: "u32", OptionBool: "boolean", OptionHex: "hex",
	OptionDomainList: "domain-list", OptionRoutes: "classless-routes",
}

// String returns the type's word in the config file.
func (t OptionType) String() string {
	if t > 0 && int(t) < len(optionTypeNames) {
		return optionTypeNames[t]
	}
	return "unknown"
}

// isList reports whether values of t are written as a list.
func (t OptionType) isList() bool {
	return t == OptionAddressList || t == OptionDomainList || t == OptionRoutes
}

// Option is one DHCP option a fallback scope offers besides the ones it
// builds itself (docs/fallback.md "What it answers").
type Option struct {
	// Code is the option code, 1..254, not one the server sets itself.
	Code uint8
	// Name is the well-known name of Code, or the file's name for an
	// option the table does not know; "" if neither.
	Name string
	// Type is how Value was read and Data encoded.
	Type OptionType
	// Value is the value as the file gives it, one string per list item
	// (one in all for a scalar type); the effective config writes it back.
	Value []string
	// Data is the option's payload on the wire, 1..255 bytes.
	Data []byte
	// AlwaysSend sends the option to clients that do not ask for it in
	// their parameter request list (option 55).
	AlwaysSend bool
}

// wellKnownOption is one row of the table of option names.
type wellKnownOption struct {
	name string
	code uint8
	typ  OptionType
	key  string // the fallback key that gives it instead, if any
}

// wellKnownOptions are the options known by name (RFC 2132 unless said).
var wellKnownOptions = []wellKnownOption{
	{name: "router", code: 3, key: "router"},
	{name: "time-servers", code: 4, typ: OptionAddressList},
	{name: "dns", code: 6, key: "dns"},
	{name: "log-servers", code: 7, typ: OptionAddressList},
	{name: "domain-name", code: 15, key: "domain"},
	{name: "ip-forwarding", code: 19, typ: OptionBool},
	{name: "default-ip-ttl", code: 23, typ: OptionU8},
	{name: "interface-mtu", code: 26, typ: OptionU16},
	{name: "broadcast-address", code: 28, typ: OptionAddress},
	{name: "arp-cache-timeout", code: 35, typ: OptionU32},
	{name: "ntp-servers", code: 42, typ: OptionAddressList},
	{name: "vendor-specific", code: 43, typ: OptionHex},
	{name: "netbios-name-servers", code: 44, typ: OptionAddressList},
	{name: "netbios-node-type", code: 46, typ: OptionU8},
	{name: "tftp-server-name", code: 66, typ: OptionString},
	{name: "bootfile-name", code: 67, typ: OptionString},
	{name: "domain-search", code: 119, typ: OptionDomainList},       // RFC 3397
	{name: "classless-static-routes", code: 121, typ: OptionRoutes}, // RFC 3442
	{name: "tftp-server", code: 150, typ: OptionAddressList},        // RFC 5859
	{name: "wpad", code: 252, typ: OptionString},                    // proxy auto-config URL
}

// serverOptions are the codes the server sets itself, per message.
var serverOptions = map[uint8]string{
	0: "pad", 1: "the subnet mask, from the interface's address", 50: "requested address",
	51: "the lease time (lease-time)", 52: "option overload", 53: "the message type",
	54: "the server identifier", 55: "the client's parameter request list", 56: "the message",
	57: "the client's maximum message size", 58: "the renewal time (t1)", 59: "the rebinding time (t2)",
	61: "the client identifier", 82: "relay agent information", 255: "end",
}

// rawOption is one entry of fallback: options:.
type rawOption struct {
	Name       *string      `yaml:"name,omitempty"`
	Code       *int         `yaml:"code,omitempty"`
	Type       *string      `yaml:"type,omitempty"`
	Value      *optionValue `yaml:"value,omitempty"`
	AlwaysSend *bool        `yaml:"always-send,omitempty"`
}

// optionValue keeps an option's value as YAML: its type, which the
// entry's type: or the table gives, says how to read it.
type optionValue struct{ node yaml.Node }

// UnmarshalYAML keeps the node.
func (v *optionValue) UnmarshalYAML(n *yaml.Node) error {
	v.node = *n
	return nil
}

// MarshalYAML writes the node.
func (v *optionValue) MarshalYAML() (any, error) { return &v.node, nil }

// parseOptions checks a fallback: options: list; where names it.
func parseOptions(list []rawOption, where string, errs *errList) *[]Option {
	out := []Option{}
	for i, r := range list {
		w := fmt.Sprintf("%s[%d]: ", where, i)
		o, err := parseOption(r)
		switch {
		case err != nil:
			errs.addf(w, "%w", err)
		case containsCode(out, o.Code):
			errs.addf(w, "option %d is given twice", o.Code)
		default:
			out = append(out, o)
		}
	}
	return &out
}

// containsCode reports whether os holds an option with code.
func containsCode(os []Option, code uint8) bool {
	for _, o := range os {
		if o.Code == code {
			return true
		}
	}
	return false
}

// parseOption checks one options: entry: the code, name and type agree
// with the table, and the value is of the type.
func parseOption(r rawOption) (Option, error) {
	o, err := optionIdentity(r)
	if err != nil {
		return o, err
	}
	if r.Value == nil || r.Value.node.Tag == "!!null" {
		return o, fmt.Errorf("value: missing")
	}
	if o.Value, err = optionValues(&r.Value.node, o.Type); err != nil {
		return o, fmt.Errorf("value: %w", err)
	}
	if o.Data, err = encodeOption(o.Type, o.Value); err != nil {
		return o, fmt.Errorf("value: %w", err)
	}
	if len(o.Data) > 255 {
		return o, fmt.Errorf("value: %d bytes encoded, more than the 255 one option holds", len(o.Data))
	}
	o.AlwaysSend = r.AlwaysSend != nil && *r.AlwaysSend
	return o, nil
}

// optionIdentity resolves an entry's code, name and type.
func optionIdentity(r rawOption) (Option, error) {
	var o Option
	var known *wellKnownOption
	if r.Name != nil {
		o.Name = *r.Name
		known = optionByName(o.Name)
	}
	switch {
	case r.Code != nil && (*r.Code < 1 || *r.Code > 254):
		return o, fmt.Errorf("code: %d is out of range 1..254", *r.Code)
	case r.Code != nil && known != nil && int(known.code) != *r.Code:
		return o, fmt.Errorf("code: %s is option %d, not %d", known.name, known.code, *r.Code)
	case r.Code != nil:
		o.Code = uint8(*r.Code)
		if known == nil {
			known = optionByCode(o.Code)
		}
	case known != nil:
		o.Code = known.code
	case r.Name != nil:
		return o, fmt.Errorf("name: %q is not a known option: give its code: and type:%s", o.Name, suggestOption(o.Name))
	default:
		return o, fmt.Errorf("no name or code: give one of them")
	}
	if why, ok := serverOptions[o.Code]; ok {
		return o, fmt.Errorf("option %d is %s, which the server sets itself", o.Code, why)
	}
	if known != nil && known.key != "" {
		return o, fmt.Errorf("option %d (%s): give it as fallback.%s", o.Code, known.name, known.key)
	}
	return o, optionType(&o, r.Type, known)
}

// optionType sets o.Type from the entry's type: and the table.
func optionType(o *Option, typ *string, known *wellKnownOption) error {
	if known != nil {
		o.Name, o.Type = known.name, known.typ
	}
	if typ == nil {
		if known == nil {
			return fmt.Errorf("type: missing: option %d is not in the table of known options; give one of %s", o.Code, strings.Join(optionTypeNames[1:], ", "))
		}
		return nil
	}
	t := OptionType(0)
	for i, n := range optionTypeNames {
		if n == *typ && i > 0 {
			t = OptionType(i)
		}
	}
	switch {
	case t == 0:
		return fmt.Errorf("type: %q is not one of %s", *typ, strings.Join(optionTypeNames[1:], ", "))
	case known != nil && t != known.typ:
		return fmt.Errorf("type: %s (option %d) is %s, not %s", known.name, o.Code, known.typ, t)
	}
	o.Type = t
	return nil
}

// optionByName and optionByCode look the table up.
func optionByName(name string) *wellKnownOption {
	for i := range wellKnownOptions {
		if wellKnownOptions[i].name == name {
			return &wellKnownOptions[i]
		}
	}
	return nil
}

func optionByCode(code uint8) *wellKnownOption {
	for i := range wellKnownOptions {
		if wellKnownOptions[i].code == code {
			return &wellKnownOptions[i]
		}
	}
	return nil
}

// suggestOption returns ` (did you mean "x"?)` for a name a typo away from
// a known one, else "".
func suggestOption(name string) string {
	names := make([]string, len(wellKnownOptions))
	for i, k := range wellKnownOptions {
		names[i] = k.name
	}
	if c, ok := closest(name, names); ok {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
}

// optionValues reads the value node: one scalar for a scalar type; a list
// of scalars, or one scalar as a list of one, for a list type.
func optionValues(n *yaml.Node, t OptionType) ([]string, error) {
	switch {
	case n.Kind == yaml.ScalarNode && t == OptionBool && n.Tag != "!!bool":
		return nil, fmt.Errorf("%q is not a boolean: write true or false", n.Value)
	case n.Kind == yaml.ScalarNode:
		return []string{n.Value}, nil
	case n.Kind != yaml.SequenceNode || !t.isList():
		return nil, fmt.Errorf("want %s, got %s", describeType(t), describeNode(n))
	}
	out := make([]string, 0, len(n.Content))
	for i, it := range n.Content {
		if it.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("[%d]: want one value, got %s", i, describeNode(it))
		}
		out = append(out, it.Value)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the list is empty")
	}
	return out, nil
}

// describeType says how a value of t is written.
func describeType(t OptionType) string {
	if t.isList() {
		return "a list (" + t.String() + ")"
	}
	return "one value (" + t.String() + ")"
}

// encodeOption encodes values as an option payload of type t.
func encodeOption(t OptionType, values []string) ([]byte, error) {
	switch t {
	case OptionAddress, OptionAddressList:
		return encodeAddrs(values)
	case OptionString:
		if values[0] == "" {
			return nil, fmt.Errorf("the string is empty")
		}
		return []byte(values[0]), nil
	case OptionU8, OptionU16, OptionU32:
		return encodeUint(t, values[0])
	case OptionBool:
		if values[0] == "true" {
			return []byte{1}, nil
		}
		return []byte{0}, nil
	case OptionHex:
		return decodeHex(values[0])
	case OptionDomainList:
		for _, v := range values {
			if err := checkDomain(v); err != nil || v == "" {
				return nil, fmt.Errorf("%q is not a domain name", v)
			}
		}
		return EncodeDomainSearch(values), nil
	case OptionRoutes:
		rs := make([]Route, len(values))
		for i, v := range values {
			r, err := ParseRoute(v)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			rs[i] = r
		}
		return EncodeClasslessRoutes(rs), nil
	}
	return nil, fmt.Errorf("unknown type %v", t)
}

// encodeAddrs encodes IPv4 addresses, 4 bytes each.
func encodeAddrs(values []string) ([]byte, error) {
	out := make([]byte, 0, 4*len(values))
	for i, v := range values {
		a, err := parseIPv4(v)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		b := a.As4()
		out = append(out, b[:]...)
	}
	return out, nil
}

// encodeUint encodes an unsigned integer of t's width, network order.
func encodeUint(t OptionType, v string) ([]byte, error) {
	bits := map[OptionType]int{OptionU8: 8, OptionU16: 16, OptionU32: 32}[t]
	n, err := strconv.ParseUint(v, 10, bits)
	if err != nil {
		return nil, fmt.Errorf("%q is not a whole number from 0 to %d", v, uint64(1)<<bits-1)
	}
	out := make([]byte, bits/8)
	for i := range out {
		out[len(out)-1-i] = byte(n >> (8 * i))
	}
	return out, nil
}

// decodeHex reads "01:02:ab" or "0102ab".
func decodeHex(v string) ([]byte, error) {
	b, err := hex.DecodeString(strings.ReplaceAll(v, ":", ""))
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("%q is not hex bytes such as 01:02:ab or 0102ab", v)
	}
	return b, nil
}

// nextServerKey checks an optional next-server (siaddr).
func nextServerKey(s *string, where string, errs *errList) *netip.Addr {
	if s == nil {
		return nil
	}
	a, err := parseIPv4(*s)
	if err != nil {
		errs.addf(where, "%w", err)
		return nil
	}
	return &a
}

// bootFileKey checks an optional boot-file (the file field: 128 bytes
// with its terminating NUL).
func bootFileKey(s *string, where string, errs *errList) *string {
	if s == nil {
		return nil
	}
	if len(*s) > 127 || strings.ContainsRune(*s, 0) {
		errs.addf(where, "%q does not fit the 127 bytes of the file field", *s)
		return nil
	}
	return s
}

// rawOptions writes options back in file form.
func rawOptions(os []Option) []rawOption {
	out := make([]rawOption, len(os))
	for i, o := range os {
		code := int(o.Code)
		out[i] = rawOption{Code: &code, Type: ptr(o.Type.String()), Value: valueNode(o)}
		if o.Name != "" {
			out[i].Name = ptr(o.Name)
		}
		if o.AlwaysSend {
			out[i].AlwaysSend = ptr(true)
		}
	}
	return out
}

// valueNode writes an option's value as a YAML node.
func valueNode(o Option) *optionValue {
	return &optionValue{node: *valueYAML(o)}
}

// valueYAML writes an option's value as a YAML node.
func valueYAML(o Option) *yaml.Node {
	scalar := func(v string) *yaml.Node {
		n := &yaml.Node{Kind: yaml.ScalarNode, Value: v}
		if o.Type == OptionBool {
			n.Tag = "!!bool"
		} else {
			n.Tag, n.Style = "!!str", 0
			if o.Type == OptionU8 || o.Type == OptionU16 || o.Type == OptionU32 {
				n.Tag = "!!int"
			}
		}
		return n
	}
	if !o.Type.isList() {
		return scalar(o.Value[0])
	}
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, v := range o.Value {
		n.Content = append(n.Content, scalar(v))
	}
	return n
}
