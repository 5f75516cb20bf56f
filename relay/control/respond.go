package control

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/iphelper/iphelper/relay/bindings"
)

// showTargets lists what `show` knows, for error messages.
const showTargets = "interfaces, helpers, upstreams, statistics, bindings, leases, failover, ddns"

// respond answers every request but `debug packets`; ctx ends with the
// server.
func (s *Server) respond(ctx context.Context, req Request) Response {
	data, perr := s.answer(ctx, req)
	if perr != nil {
		return errorResponse(perr)
	}
	resp := Response{V: Version, OK: true}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return errorResponse(&Error{Code: CodeInternal, Message: fmt.Sprintf("failed to encode %s %s: %v", req.Cmd, req.What, err)})
		}
		resp.Data = b
	}
	return resp
}

// answer computes the data of a request; nil data means none.
func (s *Server) answer(ctx context.Context, req Request) (any, *Error) {
	switch req.Cmd {
	case CmdShow:
		return s.show(req)
	case CmdClear:
		if req.What != ClearStatistics {
			return nil, &Error{Code: CodeUnknownCommand, Message: fmt.Sprintf("unknown clear target %q, want statistics", req.What)}
		}
		if s.src.Status == nil {
			return nil, unavailable("the relay")
		}
		s.src.Status.ClearStats()
		s.log.Info("statistics cleared from the control socket")
		return nil, nil
	case CmdDebug:
		return nil, &Error{Code: CodeUnknownCommand, Message: fmt.Sprintf("unknown debug target %q, want packets", req.What)}
	case CmdReload:
		if s.src.Reload == nil {
			return nil, unavailable("reloading")
		}
		res, err := s.src.Reload.Reload()
		if err != nil {
			return nil, &Error{Code: CodeRejected, Message: fmt.Sprintf("configuration rejected, the running one stays:\n%v", err)}
		}
		return res, nil
	case CmdFailover:
		return s.failover(ctx, req)
	}
	return nil, &Error{Code: CodeUnknownCommand, Message: fmt.Sprintf("unknown command %q, want show, clear, debug, reload or failover", req.Cmd)}
}

func (s *Server) show(req Request) (any, *Error) {
	switch req.What {
	case ShowBindings:
		return s.showBindings(req.Arg)
	case ShowLeases:
		if s.src.Leases == nil {
			return nil, unavailable("the fallback server")
		}
		return leasesOf(s.src.Leases.FallbackLeases()), nil
	case ShowFailover:
		return s.showFailover()
	case ShowInterfaces, ShowHelpers, ShowUpstreams, ShowStatistics, ShowDDNS:
	default:
		return nil, &Error{Code: CodeUnknownCommand, Message: fmt.Sprintf("unknown show target %q, want one of %s", req.What, showTargets)}
	}
	if s.src.Status == nil {
		return nil, unavailable("the relay")
	}
	st := s.src.Status.Status()
	switch req.What {
	case ShowInterfaces:
		return interfacesOf(st), nil
	case ShowStatistics:
		return statisticsOf(st), nil
	case ShowDDNS:
		return ddnsOf(st), nil
	default:
		return helpersOf(st), nil
	}
}

func (s *Server) showBindings(arg string) (any, *Error) {
	q, err := bindings.ParseQuery(arg)
	if err != nil {
		return nil, &Error{Code: CodeBadArgument, Message: err.Error()}
	}
	if s.src.Bindings == nil {
		return nil, unavailable("the binding table")
	}
	return bindingsOf(s.src.Bindings.Select(s.opts.Now(), q)), nil
}

// unavailable is the error for a part the daemon does not run.
func unavailable(what string) *Error {
	return &Error{Code: CodeUnavailable, Message: what + " is not running in this daemon"}
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
