package dhcpwire

import "errors"

// Errors of the parsers. They are values, so parsing a bad packet does not
// allocate.
var (
	ErrTruncated  = errors.New("truncated")
	ErrNotIPv4UDP = errors.New("not an IPv4/UDP frame")
	ErrFragment   = errors.New("IPv4 fragment")
	ErrWrongPort  = errors.New("wrong UDP port")
	ErrWrongOp    = errors.New("wrong BOOTP op")
	ErrNoCookie   = errors.New("no DHCP magic cookie")
	ErrBadOption  = errors.New("option runs past the end of the message")
	ErrNoType     = errors.New("no DHCP message type")
)

// scanOptions calls fn for every option of msg (a whole BOOTP message), with
// the option's code, the bytes of the whole option (code, length and data)
// and its data, until END or the end of the message. fn returns false to
// stop. It fails if an option's length runs past the end. Options in sname
// and file (overload, option 52) are not looked at.
func scanOptions(msg []byte, fn func(code byte, whole, data []byte) bool) error {
	if len(msg) < offOpts {
		return ErrTruncated
	}
	if [4]byte(msg[offCookie:offOpts]) != magicCookie {
		return ErrNoCookie
	}
	for i := offOpts; i < len(msg); {
		code := msg[i]
		switch code {
		case optPad:
			i++
			continue
		case optEnd:
			return nil
		}
		if i+1 >= len(msg) {
			return ErrBadOption
		}
		end := i + 2 + int(msg[i+1])
		if end > len(msg) {
			return ErrBadOption
		}
		if !fn(code, msg[i:end], msg[i+2:end]) {
			return nil
		}
		i = end
	}
	return nil
}
