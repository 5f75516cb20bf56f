package wire

import "fmt"

// Option overload values (RFC 2132 §9.3): which of the fixed fields hold
// options.
const (
	overloadFile  = 1 // the file field holds options
	overloadSName = 2 // the sname field holds options
)

// checkOverload checks the option overload option (52) of a message whose
// options field is well formed: its value is one byte, 1 (file), 2 (sname)
// or 3 (both), and each field it names holds well-formed options that begin
// at its first byte and end with END inside it (RFC 2131 §4.1). A message
// without option 52 passes. Only the first option 52 counts, as in
// FindOption.
func checkOverload(b []byte) error {
	start, end, ok := FindOption(b, OptOverload)
	if !ok {
		return nil
	}
	if end-start != 1 {
		return fmt.Errorf("%w: option overload (52) at offset %d has length %d, want 1", ErrMalformedOptions, start-2, end-start)
	}
	v := b[start]
	if v < overloadFile || v > overloadFile|overloadSName {
		return fmt.Errorf("%w: option overload (52) at offset %d has value %d, want 1 (file), 2 (sname) or 3 (both)", ErrMalformedOptions, start-2, v)
	}
	if v&overloadFile != 0 {
		if err := checkField(b, "file", OffFile, FileLen); err != nil {
			return err
		}
	}
	if v&overloadSName != 0 {
		return checkField(b, "sname", OffSName, SNameLen)
	}
	return nil
}

// checkField checks that the n bytes of field name at off hold options
// ending with END, none of them option 82: a relay agent puts its
// information in the options field only (RFC 3046 §2.1), so option 82 in
// sname or file is a client hiding one from the relay's untrusted-option-82
// check, for a server that joins the fields. b must be at least off+n bytes
// long.
func checkField(b []byte, name string, off, n int) error {
	limit := off + n
	for i := off; i < limit; {
		switch code := b[i]; {
		case code == OptPad:
			i++
		case code == OptEnd:
			return nil
		case i+1 >= limit:
			return fmt.Errorf("%w: overloaded %s field: option %d at offset %d has no length byte", ErrMalformedOptions, name, code, i)
		case code == OptRelayAgentInfo:
			return fmt.Errorf("%w: overloaded %s field: option 82 at offset %d: relay agent information belongs in the options field", ErrMalformedOptions, name, i)
		default:
			next := i + 2 + int(b[i+1])
			if next > limit {
				return fmt.Errorf("%w: overloaded %s field: option %d at offset %d: length %d overruns the field end at offset %d",
					ErrMalformedOptions, name, code, i, next-i-2, limit)
			}
			i = next
		}
	}
	return fmt.Errorf("%w: overloaded %s field runs to its end at offset %d without END", ErrNoEnd, name, limit)
}
