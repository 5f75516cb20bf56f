package lab

import (
	"bytes"
	"fmt"
)

// Relay agent information (option 82) sub-option codes the scenarios look at.
const (
	SubOptCircuitID        = 1  // RFC 3046
	SubOptRemoteID         = 2  // RFC 3046
	SubOptLinkSelection    = 5  // RFC 3527
	SubOptSubscriberID     = 6  // RFC 3993
	SubOptRelayFlags       = 10 // RFC 5010
	SubOptServerIDOverride = 11 // RFC 5107
)

// SubOption is one sub-option of a relay agent information option, in wire order.
type SubOption struct {
	Code uint8
	Data []byte
}

// String renders the sub-option for logs and the demo: printable data as quoted
// text, anything else as hex.
func (s SubOption) String() string {
	for _, c := range s.Data {
		if c < 0x20 || c > 0x7e {
			return fmt.Sprintf("%d=hex:%x", s.Code, s.Data)
		}
	}
	return fmt.Sprintf("%d=%q", s.Code, s.Data)
}

// ParseSubOptions strictly decodes the value of option 82 into its sub-options:
// each is a code, a length and that many bytes, with nothing left over. It never
// panics, and the result shares no memory with b.
func ParseSubOptions(b []byte) ([]SubOption, error) {
	var subs []SubOption
	for i := 0; i < len(b); {
		if len(b)-i < 2 {
			return nil, fmt.Errorf("failed to parse option 82: sub-option at offset %d: truncated header", i)
		}
		code, n := b[i], int(b[i+1])
		if len(b)-i-2 < n {
			return nil, fmt.Errorf("failed to parse option 82: sub-option %d at offset %d: length %d exceeds the %d bytes left", code, i, n, len(b)-i-2)
		}
		subs = append(subs, SubOption{Code: code, Data: bytes.Clone(b[i+2 : i+2+n])})
		i += 2 + n
	}
	return subs, nil
}

// FindSubOption returns the data of the first sub-option with the code.
func FindSubOption(subs []SubOption, code uint8) ([]byte, bool) {
	for _, s := range subs {
		if s.Code == code {
			return s.Data, true
		}
	}
	return nil, false
}
