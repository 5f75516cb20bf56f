package wire

import "fmt"

// InsertBeforeEnd places opt, one or more complete encoded options (code,
// length, value), just before the END option of b, in place, and returns the
// edited message.
//
// The padding that followed END is dropped; the message is then padded with
// zeros after the new END up to MinMessageLen (300 bytes, RFC 1542 §2.1) if
// it is shorter. The result is written into b's backing array when its
// capacity allows (the relay reads into a buffer of 2 KiB or more, so this
// does not allocate); otherwise into a new array.
//
// It fails, leaving b unchanged, with ErrNoCookie for plain BOOTP, with the
// errors of EndOffset for a malformed options field, with ErrBadOption when
// opt is not a sequence of complete options (pad and END excluded), and with
// ErrTooBig when the result would be longer than maxLen bytes. opt must not
// share memory with b's backing array.
func InsertBeforeEnd(b, opt []byte, maxLen int) ([]byte, error) {
	if err := checkEncoded(opt); err != nil {
		return b, err
	}
	end, err := EndOffset(b)
	if err != nil {
		return b, err
	}
	n := max(end+len(opt)+1, MinMessageLen)
	if n > maxLen {
		return b, fmt.Errorf("%w: inserting %d bytes of options makes the message %d bytes, more than %d",
			ErrTooBig, len(opt), n, maxLen)
	}
	out := b
	if cap(b) < n {
		out = make([]byte, n)
		copy(out, b[:end])
	}
	out = out[:n]
	copy(out[end:], opt)
	out[end+len(opt)] = OptEnd
	clear(out[end+len(opt)+1:])
	return out, nil
}

// checkEncoded reports whether opt is a non-empty sequence of complete
// options with lengths, without pad or END.
func checkEncoded(opt []byte) error {
	if len(opt) == 0 {
		return fmt.Errorf("%w: no option bytes", ErrBadOption)
	}
	for off := 0; off < len(opt); {
		code := opt[off]
		if code == OptPad || code == OptEnd {
			return fmt.Errorf("%w: option %d at offset %d: pad and END cannot be inserted", ErrBadOption, code, off)
		}
		if off+1 >= len(opt) || off+2+int(opt[off+1]) > len(opt) {
			return fmt.Errorf("%w: option %d at offset %d overruns the %d bytes given", ErrBadOption, code, off, len(opt))
		}
		off += 2 + int(opt[off+1])
	}
	return nil
}
