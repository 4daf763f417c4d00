package node

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"time"

	"hearth/node/finder"
	"hearth/node/members"
)

// Operator is everything the hearth CLI asks of a hub. *Node implements it
// in-process, for when no node runs and the CLI opens the store itself;
// *Remote implements it over the operator socket of a running node. The CLI
// does not know which it has.
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
}

var (
	_ Operator = (*Node)(nil)
	_ Operator = (*Remote)(nil)
)

// ErrNotRunning is returned by Dial when no node serves the directory.
var ErrNotRunning = errors.New("no hearth is running on this directory")

// Requests of the operator socket with more than one argument.
type (
	addPeerRequest struct {
		Addr  string
		Trust bool
	}
	setPeerRequest struct {
		ID    string
		Value bool
	}
	meetingRequest struct {
		ID    string
		Draft Draft
	}
	memberRequest struct {
		Nick, PIN string
	}
	checkInRequest struct {
		Nick, PIN string
		CheckIn   members.CheckIn
	}
	empty struct{}
)

// operatorHandler serves the Operator methods as POST /v1/NAME with JSON
// bodies. It is only reachable through the 0600 socket in the node directory.
func (n *Node) operatorHandler() http.Handler {
	mux := http.NewServeMux()
	handle(mux, "identity", func(ctx context.Context, _ empty) (IDInfo, error) { return n.Identity(ctx) })
	handle(mux, "status", func(ctx context.Context, _ empty) (Status, error) { return n.Status(ctx) })
	handle(mux, "peers", func(ctx context.Context, _ empty) ([]PeerInfo, error) { return n.Peers(ctx) })
	handle(mux, "peers/add", func(ctx context.Context, r addPeerRequest) (PeerInfo, error) { return n.AddPeer(ctx, r.Addr, r.Trust) })
	handle(mux, "peers/remove", func(ctx context.Context, id string) (empty, error) { return empty{}, n.RemovePeer(ctx, id) })
	handle(mux, "peers/trust", func(ctx context.Context, r setPeerRequest) (empty, error) {
		return empty{}, n.SetTrusted(ctx, r.ID, r.Value)
	})
	handle(mux, "peers/block", func(ctx context.Context, r setPeerRequest) (empty, error) {
		return empty{}, n.SetBlocked(ctx, r.ID, r.Value)
	})
	handle(mux, "meetings", func(ctx context.Context, q finder.Query) ([]Meeting, error) { return n.Meetings(ctx, q) })
	handle(mux, "meetings/show", func(ctx context.Context, id string) (Meeting, error) { return n.Meeting(ctx, id) })
	handle(mux, "meetings/add", func(ctx context.Context, d Draft) (Meeting, error) { return n.AddMeeting(ctx, d) })
	handle(mux, "meetings/update", func(ctx context.Context, r meetingRequest) (Meeting, error) {
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
		q := r.URL.Query()
		opts := ImportOptions{DryRun: q.Has("dry_run"), Prune: q.Has("prune"), Timezone: q.Get("timezone")}
		sum, err := n.ImportMeetings(r.Context(), feed, opts)
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
	handle(mux, "members/add", func(ctx context.Context, r memberRequest) (empty, error) {
		return empty{}, n.AddMember(ctx, r.Nick, r.PIN)
	})
	handle(mux, "members/remove", func(ctx context.Context, r memberRequest) (empty, error) {
		return empty{}, n.RemoveMember(ctx, r.Nick, r.PIN)
	})
	handle(mux, "members/unlock", func(ctx context.Context, nick string) (int, error) { return n.UnlockMember(ctx, nick) })
	handle(mux, "checkins/add", func(ctx context.Context, r checkInRequest) (members.CheckIn, error) {
		return n.AddCheckIn(ctx, r.Nick, r.PIN, r.CheckIn)
	})
	handle(mux, "checkins", func(ctx context.Context, r memberRequest) ([]members.CheckIn, error) {
		return n.CheckIns(ctx, r.Nick, r.PIN)
	})
	handle(mux, "checkins/export", func(ctx context.Context, r memberRequest) (members.Export, error) {
		return n.ExportCheckIns(ctx, r.Nick, r.PIN)
	})
	handle(mux, "checkins/erase", func(ctx context.Context, r memberRequest) (empty, error) {
		return empty{}, n.EraseCheckIns(ctx, r.Nick, r.PIN)
	})
	return mux
}

// maxOperatorRequest bounds a JSON request: a listing draft is a few KiB.
// (A feed to import travels raw, bounded by MaxFeedBytes.)
const maxOperatorRequest = 1 << 20

// operatorError is the body of a failed operator call.
type operatorError struct {
	Error string `json:"error"`
}

func handle[Req, Resp any](mux *http.ServeMux, name string, fn func(context.Context, Req) (Resp, error)) {
	mux.HandleFunc("POST /v1/"+name, func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxOperatorRequest)).Decode(&req); err != nil {
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
		json.NewEncoder(w).Encode(operatorError{err.Error()})
		return
	}
	json.NewEncoder(w).Encode(resp)
}

// listenOperator opens the operator socket, mode 0600. A socket file left
// by a node that was killed is replaced; a live one means another node runs.
func listenOperator(dir string) (net.Listener, error) {
	path := SocketPath(dir)
	if _, err := Dial(dir); err == nil {
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

// Remote is a running node, reached through its operator socket.
type Remote struct {
	client *http.Client
}

// Dial connects to the node running on dir, or returns ErrNotRunning.
func Dial(dir string) (*Remote, error) {
	path := SocketPath(dir)
	r := &Remote{client: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := r.Status(ctx); err != nil {
		var opErr remoteError
		if errors.As(err, &opErr) {
			return nil, err
		}
		return nil, ErrNotRunning
	}
	return r, nil
}

// remoteError is an error the node returned, as opposed to one reaching it.
type remoteError string

func (e remoteError) Error() string { return string(e) }

// call is one JSON operator call: req marshalled, the answer unmarshalled.
func call[Resp any](ctx context.Context, r *Remote, name string, req any) (Resp, error) {
	body, err := json.Marshal(req)
	if err != nil {
		var zero Resp
		return zero, err
	}
	return callRaw[Resp](ctx, r, "/v1/"+name, body)
}

// callRaw is call with the request body as it is.
func callRaw[Resp any](ctx context.Context, r *Remote, path string, body []byte) (Resp, error) {
	var resp Resp
	data, err := r.post(ctx, path, body)
	if err != nil {
		return resp, err
	}
	if err := json.Unmarshal(data, &resp); err != nil {
		return resp, fmt.Errorf("operator socket: %w", err)
	}
	return resp, nil
}

// post sends one operator request and returns the body of a success; a
// failure the node reports comes back as a remoteError.
func (r *Remote) post(ctx context.Context, path string, body []byte) ([]byte, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://hearth"+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hresp, err := r.client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("operator socket: %w", err)
	}
	defer hresp.Body.Close()
	data, err := io.ReadAll(hresp.Body)
	if err != nil {
		return nil, fmt.Errorf("operator socket: %w", err)
	}
	if hresp.StatusCode != http.StatusOK {
		var e operatorError
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			return nil, fmt.Errorf("operator socket: %s", hresp.Status)
		}
		return nil, remoteError(e.Error)
	}
	return data, nil
}

// Close releases the connection to the node.
func (r *Remote) Close() error {
	r.client.CloseIdleConnections()
	return nil
}

func (r *Remote) Identity(ctx context.Context) (IDInfo, error) {
	return call[IDInfo](ctx, r, "identity", empty{})
}
func (r *Remote) Status(ctx context.Context) (Status, error) {
	return call[Status](ctx, r, "status", empty{})
}
func (r *Remote) Peers(ctx context.Context) ([]PeerInfo, error) {
	return call[[]PeerInfo](ctx, r, "peers", empty{})
}
func (r *Remote) AddPeer(ctx context.Context, addr string, trust bool) (PeerInfo, error) {
	return call[PeerInfo](ctx, r, "peers/add", addPeerRequest{addr, trust})
}
func (r *Remote) RemovePeer(ctx context.Context, id string) error {
	_, err := call[empty](ctx, r, "peers/remove", id)
	return err
}
func (r *Remote) SetTrusted(ctx context.Context, id string, trusted bool) error {
	_, err := call[empty](ctx, r, "peers/trust", setPeerRequest{id, trusted})
	return err
}
func (r *Remote) SetBlocked(ctx context.Context, id string, blocked bool) error {
	_, err := call[empty](ctx, r, "peers/block", setPeerRequest{id, blocked})
	return err
}
func (r *Remote) Meetings(ctx context.Context, q finder.Query) ([]Meeting, error) {
	return call[[]Meeting](ctx, r, "meetings", q)
}
func (r *Remote) Meeting(ctx context.Context, id string) (Meeting, error) {
	return call[Meeting](ctx, r, "meetings/show", id)
}
func (r *Remote) AddMeeting(ctx context.Context, draft Draft) (Meeting, error) {
	return call[Meeting](ctx, r, "meetings/add", draft)
}
func (r *Remote) UpdateMeeting(ctx context.Context, id string, draft Draft) (Meeting, error) {
	return call[Meeting](ctx, r, "meetings/update", meetingRequest{id, draft})
}
func (r *Remote) CancelMeeting(ctx context.Context, id string) (Meeting, error) {
	return call[Meeting](ctx, r, "meetings/cancel", id)
}
func (r *Remote) ImportMeetings(ctx context.Context, feed []byte, opts ImportOptions) (ImportSummary, error) {
	q := url.Values{}
	if opts.DryRun {
		q.Set("dry_run", "")
	}
	if opts.Prune {
		q.Set("prune", "")
	}
	if opts.Timezone != "" {
		q.Set("timezone", opts.Timezone)
	}
	return callRaw[ImportSummary](ctx, r, "/v1/meetings/import?"+q.Encode(), feed)
}
func (r *Remote) ExportMeetings(ctx context.Context, mine bool) ([]byte, error) {
	path := "/v1/meetings/export"
	if mine {
		path += "?mine"
	}
	return r.post(ctx, path, nil)
}
func (r *Remote) ListMembers(ctx context.Context) ([]members.Summary, error) {
	return call[[]members.Summary](ctx, r, "members", empty{})
}
func (r *Remote) AddMember(ctx context.Context, nick, pin string) error {
	_, err := call[empty](ctx, r, "members/add", memberRequest{nick, pin})
	return err
}
func (r *Remote) RemoveMember(ctx context.Context, nick, pin string) error {
	_, err := call[empty](ctx, r, "members/remove", memberRequest{nick, pin})
	return err
}
func (r *Remote) UnlockMember(ctx context.Context, nick string) (int, error) {
	return call[int](ctx, r, "members/unlock", nick)
}
func (r *Remote) AddCheckIn(ctx context.Context, nick, pin string, c members.CheckIn) (members.CheckIn, error) {
	return call[members.CheckIn](ctx, r, "checkins/add", checkInRequest{nick, pin, c})
}
func (r *Remote) CheckIns(ctx context.Context, nick, pin string) ([]members.CheckIn, error) {
	return call[[]members.CheckIn](ctx, r, "checkins", memberRequest{nick, pin})
}
func (r *Remote) ExportCheckIns(ctx context.Context, nick, pin string) (members.Export, error) {
	return call[members.Export](ctx, r, "checkins/export", memberRequest{nick, pin})
}
func (r *Remote) EraseCheckIns(ctx context.Context, nick, pin string) error {
	_, err := call[empty](ctx, r, "checkins/erase", memberRequest{nick, pin})
	return err
}
