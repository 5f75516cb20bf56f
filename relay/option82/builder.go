package option82

import (
	"fmt"
	"net/netip"

	"github.com/iphelper/iphelper/relay/wire"
)

// Builder encodes one complete option 82 (code 82, length, sub-options in
// the order added) into a caller-provided buffer. Errors are sticky: the
// first failed Add is reported by Bytes and later Adds do nothing. The same
// rules as Scanner apply, so whatever Bytes returns decodes. A Builder must
// not be used from several goroutines at once.
type Builder struct {
	buf  []byte
	seen seenSet
	err  error
}

// NewBuilder returns a Builder writing into buf[:0]; buf may be nil, and
// grows by append when too small (259 bytes always suffice).
func NewBuilder(buf []byte) *Builder {
	return &Builder{buf: append(buf[:0], wire.OptRelayAgentInfo, 0)}
}

// Add appends a sub-option with any code, checked like Scanner checks it.
func (b *Builder) Add(code byte, data []byte) {
	if b.err != nil {
		return
	}
	off := len(b.buf) - 2
	switch {
	case len(data) > MaxDataLen:
		b.err = fmt.Errorf("%w: %s is %d bytes, more than %d", ErrTooLong, label(code), len(data), MaxDataLen)
	case off+2+len(data) > MaxDataLen:
		b.err = fmt.Errorf("%w: adding %s of %d bytes makes option 82 %d bytes, more than %d",
			ErrTooLong, label(code), len(data), off+2+len(data), MaxDataLen)
	default:
		b.err = checkSubOption(code, data, off)
	}
	if b.err == nil && b.seen.add(code) && once(code) {
		b.err = fmt.Errorf("%w: %s added twice", ErrDuplicate, label(code))
	}
	if b.err == nil {
		b.buf = append(append(b.buf, code, byte(len(data))), data...)
	}
}

// AddCircuitID appends the agent circuit id (sub-option 1), at least one byte.
func (b *Builder) AddCircuitID(id []byte) { b.Add(CircuitID, id) }

// AddRemoteID appends the agent remote id (sub-option 2), at least one byte.
func (b *Builder) AddRemoteID(id []byte) { b.Add(RemoteID, id) }

// AddSubscriberID appends the subscriber id (sub-option 6), at least one byte.
func (b *Builder) AddSubscriberID(id []byte) { b.Add(SubscriberID, id) }

// AddLinkSelection appends link-selection (sub-option 5): the address of the
// client's subnet, which must be IPv4.
func (b *Builder) AddLinkSelection(a netip.Addr) { b.addAddr(LinkSelection, a) }

// AddServerIDOverride appends server-identifier-override (sub-option 11):
// the address clients should send renewals to, which must be IPv4.
func (b *Builder) AddServerIDOverride(a netip.Addr) { b.addAddr(ServerIDOverride, a) }

// AddFlags appends the relay agent flags (sub-option 10) with the unicast
// bit set or clear.
func (b *Builder) AddFlags(unicast bool) {
	var f byte
	if unicast {
		f = FlagUnicast
	}
	b.Add(Flags, []byte{f})
}

func (b *Builder) addAddr(code byte, a netip.Addr) {
	if b.err != nil {
		return
	}
	if !a.Is4() {
		b.err = fmt.Errorf("%w: %s %v", ErrNotIPv4, label(code), a)
		return
	}
	v := a.As4()
	b.Add(code, v[:])
}

// Bytes returns the encoded option (code, length, sub-options), aliasing the
// Builder's buffer, or the first error. An option without sub-options is
// ErrEmpty.
func (b *Builder) Bytes() ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	if len(b.buf) == 2 {
		return nil, fmt.Errorf("%w: no sub-options added", ErrEmpty)
	}
	b.buf[1] = byte(len(b.buf) - 2)
	return b.buf, nil
}
