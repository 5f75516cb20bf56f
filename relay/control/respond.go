package control

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/iphelper/iphelper/relay/bindings"
)

// showTargets lists what `show` knows, for error messages.
const showTargets = "interfaces, helpers, upstreams, statistics, bindings, leases, conflicts, pools, failover, version, ddns"

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
		switch req.What {
		case ClearStatistics:
			return nil, s.clearStatistics(req.Arg)
		case ClearConflicts:
			return s.clearConflicts(req.Arg)
		}
		return nil, &Error{Code: CodeUnknownCommand, Message: fmt.Sprintf("unknown clear target %q, want statistics or conflicts", req.What)}
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
	case ShowConflicts:
		if s.src.Leases == nil {
			return nil, unavailable("the fallback server")
		}
		return conflictsOf(s.src.Leases.FallbackLeases()), nil
	case ShowFailover:
		return s.showFailover()
	case ShowVersion:
		return s.showVersion(), nil
	case ShowInterfaces, ShowHelpers, ShowUpstreams, ShowStatistics, ShowPools, ShowDDNS:
	default:
		return nil, &Error{Code: CodeUnknownCommand, Message: fmt.Sprintf("unknown show target %q, want one of %s", req.What, showTargets)}
	}
	if s.src.Status == nil {
		return nil, unavailable("the relay")
	}
	st := s.base.apply(s.src.Status.Status())
	switch req.What {
	case ShowInterfaces:
		return interfacesOf(st), nil
	case ShowStatistics:
		return statisticsOf(st), nil
	case ShowPools:
		return poolsOf(st), nil
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

// showVersion is the daemon's build, uptime and configuration hash.
func (s *Server) showVersion() DaemonVersion {
	v := DaemonVersion{Build: s.opts.Build, Started: s.opts.Started}
	if !v.Started.IsZero() {
		v.UptimeSeconds = int64(s.opts.Now().Sub(v.Started) / time.Second)
	}
	if s.src.Config != nil {
		v.ConfigHash, v.ReloadsOK, v.ReloadsFailed = s.src.Config.ReloadStats()
	}
	return v
}

// clearStatistics sets the baseline of show: every counter, or those of
// the interface iface.
func (s *Server) clearStatistics(iface string) *Error {
	if s.src.Status == nil {
		return unavailable("the relay")
	}
	st := s.src.Status.Status()
	if err := s.base.clear(st, iface); err != nil {
		return &Error{Code: CodeBadArgument, Message: fmt.Sprintf("%v; the interfaces are %s", err, strings.Join(interfaceNames(st), ", "))}
	}
	if iface == "" {
		s.log.Info("statistics cleared from the control socket")
	} else {
		s.log.Info("statistics cleared from the control socket", "iface", iface)
	}
	return nil
}

// clearConflicts frees the quarantined address arg, or every one for ""
// or "*".
func (s *Server) clearConflicts(arg string) (any, *Error) {
	var addr netip.Addr
	if arg != "" && arg != "*" {
		a, err := netip.ParseAddr(arg)
		if err != nil || !a.Is4() {
			return nil, &Error{Code: CodeBadArgument, Message: fmt.Sprintf("%q is not an IPv4 address or *", arg)}
		}
		addr = a
	}
	if s.src.Conflicts == nil {
		return nil, unavailable("the fallback server")
	}
	freed := s.src.Conflicts.ClearConflicts(addr)
	s.log.Info("conflicts cleared from the control socket", "arg", arg, "freed", len(freed))
	return ClearedConflicts{Freed: nonNil(freed)}, nil
}
