// Package operator is the client of a running hub's operator socket (the
// Unix socket node serves in its directory, mode 0600): a node.Operator
// that reaches the node over it, for the hearth CLI. The server and the
// protocol are node's (node/operator.go), as tailscale keeps its local API
// in ipn/localapi and the client in client/local.
package operator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"hearth/node"
	"hearth/node/finder"
	"hearth/node/members"
)

// ErrNotRunning is returned by Dial when no node serves the directory.
var ErrNotRunning = errors.New("no hearth is running on this directory")

// Client is a running node, reached through its operator socket. It is
// safe for concurrent use.
type Client struct {
	http *http.Client
}

var _ node.Operator = (*Client)(nil)

// Dial connects to the node running on dir, or returns ErrNotRunning.
func Dial(dir string) (*Client, error) {
	path := node.SocketPath(dir)
	c := &Client{http: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Status(ctx); err != nil {
		if _, ok := errors.AsType[nodeError](err); ok {
			return nil, err
		}
		return nil, ErrNotRunning
	}
	return c, nil
}

// Close releases the connection to the node.
func (c *Client) Close() error {
	c.http.CloseIdleConnections()
	return nil
}

// nodeError is an error the node returned, as opposed to one reaching it.
type nodeError string

func (e nodeError) Error() string { return string(e) }

// none is the body of a call without arguments, and the result of one
// without a result.
type none struct{}

// call is one JSON operator call: req marshalled, the answer unmarshalled.
func call[Resp any](ctx context.Context, c *Client, name string, req any) (Resp, error) {
	body, err := json.Marshal(req)
	if err != nil {
		var zero Resp
		return zero, err
	}
	return callRaw[Resp](ctx, c, "/v1/"+name, body)
}

// callRaw is call with the request body as it is.
func callRaw[Resp any](ctx context.Context, c *Client, path string, body []byte) (Resp, error) {
	var resp Resp
	data, err := c.post(ctx, path, body)
	if err != nil {
		return resp, err
	}
	if err := json.Unmarshal(data, &resp); err != nil {
		return resp, fmt.Errorf("operator socket: %w", err)
	}
	return resp, nil
}

// post sends one operator request and returns the body of a success; a
// failure the node reports comes back as a nodeError.
func (c *Client) post(ctx context.Context, path string, body []byte) ([]byte, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://hearth"+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hresp, err := c.http.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("operator socket: %w", err)
	}
	defer hresp.Body.Close()
	data, err := io.ReadAll(hresp.Body)
	if err != nil {
		return nil, fmt.Errorf("operator socket: %w", err)
	}
	if hresp.StatusCode != http.StatusOK {
		var e node.OperatorError
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			return nil, fmt.Errorf("operator socket: %s", hresp.Status)
		}
		return nil, nodeError(e.Error)
	}
	return data, nil
}

func (c *Client) Identity(ctx context.Context) (node.IDInfo, error) {
	return call[node.IDInfo](ctx, c, "identity", none{})
}
func (c *Client) Status(ctx context.Context) (node.Status, error) {
	return call[node.Status](ctx, c, "status", none{})
}
func (c *Client) Peers(ctx context.Context) ([]node.PeerInfo, error) {
	return call[[]node.PeerInfo](ctx, c, "peers", none{})
}
func (c *Client) AddPeer(ctx context.Context, addr string, trust bool) (node.PeerInfo, error) {
	return call[node.PeerInfo](ctx, c, "peers/add", node.AddPeerRequest{Addr: addr, Trust: trust})
}
func (c *Client) RemovePeer(ctx context.Context, id string) error {
	_, err := call[none](ctx, c, "peers/remove", id)
	return err
}
func (c *Client) SetTrusted(ctx context.Context, id string, trusted bool) error {
	_, err := call[none](ctx, c, "peers/trust", node.SetPeerRequest{ID: id, Value: trusted})
	return err
}
func (c *Client) SetBlocked(ctx context.Context, id string, blocked bool) error {
	_, err := call[none](ctx, c, "peers/block", node.SetPeerRequest{ID: id, Value: blocked})
	return err
}
func (c *Client) Meetings(ctx context.Context, q finder.Query) ([]node.Meeting, error) {
	return call[[]node.Meeting](ctx, c, "meetings", q)
}
func (c *Client) Meeting(ctx context.Context, id string) (node.Meeting, error) {
	return call[node.Meeting](ctx, c, "meetings/show", id)
}
func (c *Client) AddMeeting(ctx context.Context, draft node.Draft) (node.Meeting, error) {
	return call[node.Meeting](ctx, c, "meetings/add", draft)
}
func (c *Client) UpdateMeeting(ctx context.Context, id string, draft node.Draft) (node.Meeting, error) {
	return call[node.Meeting](ctx, c, "meetings/update", node.MeetingRequest{ID: id, Draft: draft})
}
func (c *Client) CancelMeeting(ctx context.Context, id string) (node.Meeting, error) {
	return call[node.Meeting](ctx, c, "meetings/cancel", id)
}
func (c *Client) ImportMeetings(ctx context.Context, feed []byte, opts node.ImportOptions) (node.ImportSummary, error) {
	return callRaw[node.ImportSummary](ctx, c, "/v1/meetings/import?"+opts.URLQuery().Encode(), feed)
}
func (c *Client) ExportMeetings(ctx context.Context, mine bool) ([]byte, error) {
	path := "/v1/meetings/export"
	if mine {
		path += "?mine"
	}
	return c.post(ctx, path, nil)
}
func (c *Client) ListMembers(ctx context.Context) ([]members.Summary, error) {
	return call[[]members.Summary](ctx, c, "members", none{})
}
func (c *Client) AddMember(ctx context.Context, nick, pin string) error {
	_, err := call[none](ctx, c, "members/add", node.MemberRequest{Nick: nick, PIN: pin})
	return err
}
func (c *Client) RemoveMember(ctx context.Context, nick, pin string) error {
	_, err := call[none](ctx, c, "members/remove", node.MemberRequest{Nick: nick, PIN: pin})
	return err
}
func (c *Client) UnlockMember(ctx context.Context, nick string) (int, error) {
	return call[int](ctx, c, "members/unlock", nick)
}
func (c *Client) AddCheckIn(ctx context.Context, nick, pin string, ci members.CheckIn) (members.CheckIn, error) {
	return call[members.CheckIn](ctx, c, "checkins/add", node.CheckInRequest{Nick: nick, PIN: pin, CheckIn: ci})
}
func (c *Client) CheckIns(ctx context.Context, nick, pin string) ([]members.CheckIn, error) {
	return call[[]members.CheckIn](ctx, c, "checkins", node.MemberRequest{Nick: nick, PIN: pin})
}
func (c *Client) ExportCheckIns(ctx context.Context, nick, pin string) (members.Export, error) {
	return call[members.Export](ctx, c, "checkins/export", node.MemberRequest{Nick: nick, PIN: pin})
}
func (c *Client) EraseCheckIns(ctx context.Context, nick, pin string) error {
	_, err := call[none](ctx, c, "checkins/erase", node.MemberRequest{Nick: nick, PIN: pin})
	return err
}
func (c *Client) SafetyPlan(ctx context.Context, nick, pin string) (members.SafetyPlan, error) {
	return call[members.SafetyPlan](ctx, c, "plan", node.MemberRequest{Nick: nick, PIN: pin})
}
func (c *Client) EditSafetyPlan(ctx context.Context, nick, pin string, edit members.PlanEdit) (members.SafetyPlan, error) {
	return call[members.SafetyPlan](ctx, c, "plan/edit", node.PlanRequest{Nick: nick, PIN: pin, Edit: edit})
}
