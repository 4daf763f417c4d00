package node

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"

	"hearth/node/finder"
	"hearth/node/members"
)

// Operator is everything the hearth CLI asks of a hub. *Node implements it
// in-process, for when no node runs and the CLI opens the store itself;
// the client of package hearth/client/operator implements it over the
// operator socket of a running node. The CLI does not know which it has.
type Operator interface {
	Identity(ctx context.Context) (IDInfo, error)
	Status(ctx context.Context) (Status, error)

	Peers(ctx context.Context) ([]PeerInfo, error)
	AddPeer(ctx context.Context, addr string, trust bool) (PeerInfo, error)
	RemovePeer(ctx context.Context, id string) error
	SetTrusted(ctx context.Context, id string, trusted bool) error
	SetBlocked(ctx context.Context, id string, blocked bool) error

	Meetings(ctx context.Context, q finder.Query) ([]Meeting, error)
	Meeting(ctx context.Context, id string) (Meeting, error)
	AddMeeting(ctx context.Context, draft Draft) (Meeting, error)
	UpdateMeeting(ctx context.Context, id string, draft Draft) (Meeting, error)
	CancelMeeting(ctx context.Context, id string) (Meeting, error)
	ImportMeetings(ctx context.Context, feed []byte, opts ImportOptions) (ImportSummary, error)
	ExportMeetings(ctx context.Context, mine bool) ([]byte, error)

	ListMembers(ctx context.Context) ([]members.Summary, error)
	AddMember(ctx context.Context, nick, pin string) error
	RemoveMember(ctx context.Context, nick, pin string) error
	UnlockMember(ctx context.Context, nick string) (int, error)
	AddCheckIn(ctx context.Context, nick, pin string, c members.CheckIn) (members.CheckIn, error)
	CheckIns(ctx context.Context, nick, pin string) ([]members.CheckIn, error)
	ExportCheckIns(ctx context.Context, nick, pin string) (members.Export, error)
	EraseCheckIns(ctx context.Context, nick, pin string) error
	SafetyPlan(ctx context.Context, nick, pin string) (members.SafetyPlan, error)
	EditSafetyPlan(ctx context.Context, nick, pin string, edit members.PlanEdit) (members.SafetyPlan, error)
}

var _ Operator = (*Node)(nil)

// The operator socket's protocol. Each Operator method is POST /v1/NAME
// (NAME as operatorHandler lists them) with its arguments as a JSON body:
// one argument as itself, more as one of the requests below, none as {}.
// The answer is the result as JSON, or status 422 and an OperatorError. A
// feed to import and an exported feed travel raw (ImportOptions in the
// URL's query); a feed is bounded by MaxFeedBytes, anything else by
// MaxOperatorRequest.
type (
	AddPeerRequest struct {
		Addr  string
		Trust bool
	}
	SetPeerRequest struct {
		ID    string
		Value bool
	}
	MeetingRequest struct {
		ID    string
		Draft Draft
	}
	MemberRequest struct {
		Nick, PIN string
	}
	CheckInRequest struct {
		Nick, PIN string
		CheckIn   members.CheckIn
	}
	PlanRequest struct {
		Nick, PIN string
		Edit      members.PlanEdit
	}
	// OperatorError is the body of a failed call.
	OperatorError struct {
		Error string `json:"error"`
	}
)

// MaxOperatorRequest bounds a JSON request: a listing draft is a few KiB.
const MaxOperatorRequest = 1 << 20

// empty is the body of a call without arguments or without a result.
type empty struct{}

// operatorHandler serves the Operator methods as POST /v1/NAME with JSON
// bodies. It is only reachable through the 0600 socket in the node directory.
func (n *Node) operatorHandler() http.Handler {
	mux := http.NewServeMux()
	handle(mux, "identity", func(ctx context.Context, _ empty) (IDInfo, error) { return n.Identity(ctx) })
	handle(mux, "status", func(ctx context.Context, _ empty) (Status, error) { return n.Status(ctx) })
	handle(mux, "peers", func(ctx context.Context, _ empty) ([]PeerInfo, error) { return n.Peers(ctx) })
	handle(mux, "peers/add", func(ctx context.Context, r AddPeerRequest) (PeerInfo, error) { return n.AddPeer(ctx, r.Addr, r.Trust) })
	handle(mux, "peers/remove", func(ctx context.Context, id string) (empty, error) { return empty{}, n.RemovePeer(ctx, id) })
	handle(mux, "peers/trust", func(ctx context.Context, r SetPeerRequest) (empty, error) {
		return empty{}, n.SetTrusted(ctx, r.ID, r.Value)
	})
	handle(mux, "peers/block", func(ctx context.Context, r SetPeerRequest) (empty, error) {
		return empty{}, n.SetBlocked(ctx, r.ID, r.Value)
	})
	handle(mux, "meetings", func(ctx context.Context, q finder.Query) ([]Meeting, error) { return n.Meetings(ctx, q) })
	handle(mux, "meetings/show", func(ctx context.Context, id string) (Meeting, error) { return n.Meeting(ctx, id) })
	handle(mux, "meetings/add", func(ctx context.Context, d Draft) (Meeting, error) { return n.AddMeeting(ctx, d) })
	handle(mux, "meetings/update", func(ctx context.Context, r MeetingRequest) (Meeting, error) {
		return n.UpdateMeeting(ctx, r.ID, r.Draft)
	})
	handle(mux, "meetings/cancel", func(ctx context.Context, id string) (Meeting, error) { return n.CancelMeeting(ctx, id) })
	// A feed travels raw, not in JSON: as base64 it would be a third
	// bigger, and the node would hold it twice while decoding.
	mux.HandleFunc("POST /v1/meetings/import", func(w http.ResponseWriter, r *http.Request) {
		feed, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxFeedBytes))
		if err != nil {
			respond(w, nil, fmt.Errorf("nothing imported: the feed is over %d MiB or was cut off: %w", MaxFeedBytes>>20, err))
			return
		}
		sum, err := n.ImportMeetings(r.Context(), feed, importOptionsFromURL(r.URL.Query()))
		respond(w, sum, err)
	})
	mux.HandleFunc("POST /v1/meetings/export", func(w http.ResponseWriter, r *http.Request) {
		feed, err := n.ExportMeetings(r.Context(), r.URL.Query().Has("mine"))
		if err != nil {
			respond(w, nil, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(feed)
	})
	handle(mux, "members", func(ctx context.Context, _ empty) ([]members.Summary, error) { return n.ListMembers(ctx) })
	handle(mux, "members/add", func(ctx context.Context, r MemberRequest) (empty, error) {
		return empty{}, n.AddMember(ctx, r.Nick, r.PIN)
	})
	handle(mux, "members/remove", func(ctx context.Context, r MemberRequest) (empty, error) {
		return empty{}, n.RemoveMember(ctx, r.Nick, r.PIN)
	})
	handle(mux, "members/unlock", func(ctx context.Context, nick string) (int, error) { return n.UnlockMember(ctx, nick) })
	handle(mux, "checkins/add", func(ctx context.Context, r CheckInRequest) (members.CheckIn, error) {
		return n.AddCheckIn(ctx, r.Nick, r.PIN, r.CheckIn)
	})
	handle(mux, "checkins", func(ctx context.Context, r MemberRequest) ([]members.CheckIn, error) {
		return n.CheckIns(ctx, r.Nick, r.PIN)
	})
	handle(mux, "checkins/export", func(ctx context.Context, r MemberRequest) (members.Export, error) {
		return n.ExportCheckIns(ctx, r.Nick, r.PIN)
	})
	handle(mux, "checkins/erase", func(ctx context.Context, r MemberRequest) (empty, error) {
		return empty{}, n.EraseCheckIns(ctx, r.Nick, r.PIN)
	})
	handle(mux, "plan", func(ctx context.Context, r MemberRequest) (members.SafetyPlan, error) {
		return n.SafetyPlan(ctx, r.Nick, r.PIN)
	})
	handle(mux, "plan/edit", func(ctx context.Context, r PlanRequest) (members.SafetyPlan, error) {
		return n.EditSafetyPlan(ctx, r.Nick, r.PIN, r.Edit)
	})
	return mux
}

func handle[Req, Resp any](mux *http.ServeMux, name string, fn func(context.Context, Req) (Resp, error)) {
	mux.HandleFunc("POST /v1/"+name, func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxOperatorRequest)).Decode(&req); err != nil {
			respond(w, nil, fmt.Errorf("operator socket: bad request: %w", err))
			return
		}
		resp, err := fn(r.Context(), req)
		respond(w, resp, err)
	})
}

// respond writes an operator call's result as JSON, or its error.
func respond(w http.ResponseWriter, resp any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusUnprocessableEntity)
		json.NewEncoder(w).Encode(OperatorError{err.Error()})
		return
	}
	json.NewEncoder(w).Encode(resp)
}

// listenOperator opens the operator socket, mode 0600. A socket file left
// by a node that was killed is replaced; a live one means another node runs.
func listenOperator(dir string) (net.Listener, error) {
	path := SocketPath(dir)
	if conn, err := net.DialTimeout("unix", path, time.Second); err == nil {
		conn.Close()
		return nil, fmt.Errorf("%w (%s): stop it or use another --dir", ErrRunning, dir)
	}
	os.Remove(path)
	// The umask makes the socket 0600 from its first moment, not after a chmod.
	old := syscall.Umask(0o177)
	ln, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("operator socket %s: %w", path, err)
	}
	return ln, nil
}
