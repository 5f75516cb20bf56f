package option82

import "github.com/iphelper/iphelper/relay/wire"

// Gather copies the data of every option-82 instance in msg's main options
// field into scratch (from scratch[:0]), concatenated in order as RFC 3396
// prescribes, and returns it with the number of instances. It allocates only
// when scratch is too small; a 255-byte scratch covers every unsplit option.
// n is 0 when msg carries no option 82 or has no magic cookie. The errors are
// those of wire.AppendOptionData for a malformed options field; run Validate
// (or Lookup) on the result to check the sub-options.
func Gather(scratch, msg []byte) (data []byte, n int, err error) {
	return wire.AppendOptionData(scratch[:0], msg, wire.OptRelayAgentInfo)
}
