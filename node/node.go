// Package node is a running Hearth hub: its identity, libp2p host, gossipsub,
// discovery, peer policy, listing ingest, catch-up sync, members and
// check-ins, and the operator socket.
//
// Lifecycle: Open loads a node directory and starts nothing, so the CLI can
// use a node's store when no node runs. Run starts the network and owns every
// goroutine until its context ends. Close is safe to call twice.
package node

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"golang.org/x/sync/errgroup"

	"hearth/node/finder"
	"hearth/node/members"
	"hearth/protocol"
	"hearth/store"
)

// Options are what a program embedding a node provides besides its directory.
type Options struct {
	// Logger receives the node's logs; nil discards them. Nothing member-
	// written is ever logged.
	Logger *slog.Logger
	// Web builds the handler served at Config.Web.Listen while the node runs
	// (the member page and JSON API: node/web's Handler); nil answers every
	// request 404, for a hub run without its page (tests of the network).
	Web func(*Node) http.Handler
	// Config, if set, replaces the directory's config.toml (tests).
	Config *Config
	// Now is the clock; nil is time.Now. Tests move it.
	Now func() time.Time
}

// Node is one hub. Its methods are safe for concurrent use.
type Node struct {
	dir  string
	cfg  Config
	opts Options
	log  *slog.Logger
	now  func() time.Time

	key crypto.PrivKey
	id  peer.ID

	store     *store.Store
	members   *members.Book
	listings  *listingSet
	peers     *peerBook
	stats     stats
	syncs     *syncLimiter
	syncSkips *syncSkips
	syncIdle  time.Duration // protocol.SyncIdleTimeout; shorter in tests
	syncRound time.Duration // syncTimeout; shorter in tests

	net       atomic.Pointer[p2p] // set while Run runs
	resyncNow chan struct{}
	ready     chan struct{}
	ownMu     sync.Mutex // serialises changes to this hub's own listings
	closeOnce sync.Once
	closeErr  error
}

// Open loads the node in dir and opens its store. It starts nothing. If
// another process runs the node, it returns an error wrapping ErrRunning.
func Open(dir string, opts Options) (*Node, error) {
	n := &Node{dir: dir, opts: opts, log: opts.Logger, now: opts.Now, ready: make(chan struct{}), resyncNow: make(chan struct{}, 1)}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	if n.now == nil {
		n.now = time.Now
	}
	var err error
	if n.key, err = loadIdentity(dir); err != nil {
		return nil, err
	}
	if n.id, err = peer.IDFromPrivateKey(n.key); err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	if opts.Config != nil {
		n.cfg = *opts.Config
		if err := n.cfg.Validate(); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
	} else if n.cfg, err = LoadConfig(ConfigPath(dir)); err != nil {
		return nil, err
	}
	n.syncs, n.syncSkips = newSyncLimiter(n.cfg.Network.SyncStreams, n.now), newSyncSkips(n.now)
	n.syncIdle, n.syncRound = protocol.SyncIdleTimeout, syncTimeout
	storeKey, err := loadStoreKey(dir)
	if err != nil {
		return nil, err
	}
	n.store, err = store.Open(store.Options{Dir: filepath.Join(dir, storeDir), EncryptionKey: storeKey, Logger: n.log})
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%w (%s): stop it or use another --dir", ErrRunning, dir)
	}
	if err != nil {
		return nil, err
	}
	// From here on, a failure must close the store it opened.
	if err := n.load(); err != nil {
		n.store.Close()
		return nil, err
	}
	return n, nil
}

// load fills the in-memory state from the store.
func (n *Node) load() error {
	var err error
	if n.peers, err = loadPeerBook(n.store, n.cfg.Network.Policy); err != nil {
		return err
	}
	if n.members, err = members.New(n.store, members.Options{
		Now: n.now, KDFSlots: n.cfg.Members.PINChecksAtOnce, Zone: n.Zone(),
		BuddyCodeLifetime: n.cfg.Members.BuddyCodeLifetime.D(),
	}); err != nil {
		return err
	}
	n.listings = newListingSet(n.Zone())
	dropped, err := n.listings.load(n.store, n.now())
	if err != nil {
		return err
	}
	n.stats.dropped = dropped
	for reason, count := range dropped {
		n.log.Warn("dropped stored listings that break a protocol rule", "reason", reason, "listings", count)
	}
	if n.listings.index.Len() > manyListings {
		// Decoding every stored listing left garbage the size of them
		// all; give it back now, not over the next minutes.
		debug.FreeOSMemory()
	}
	return nil
}

// ID is the hub's peer ID.
func (n *Node) ID() peer.ID { return n.id }

// Config is the configuration the node runs with.
func (n *Node) Config() Config { return n.cfg }

// Finder is the index of every listing the hub holds, for queries.
func (n *Node) Finder() *finder.Index { return n.listings.index }

// Members is the hub's member book.
func (n *Node) Members() *members.Book { return n.members }

// Ready is closed once Run has started the network and every listener.
func (n *Node) Ready() <-chan struct{} { return n.ready }

// Run starts the hub and serves until ctx ends, then stops everything it
// started and returns. It returns early with an error if a listener cannot
// be opened (say, the web port is taken).
func (n *Node) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// The operator socket first: if it cannot be had, nothing else starts.
	operatorLn, err := listenOperator(n.dir)
	if err != nil {
		return err
	}
	defer operatorLn.Close()
	var webTLS *tls.Config
	if n.cfg.Web.TLSCert != "" {
		if webTLS, err = loadWebTLS(n.cfg.Web, n.log); err != nil {
			return err
		}
	}
	webLn, err := net.Listen("tcp", n.cfg.Web.Listen)
	if err != nil {
		return fmt.Errorf("web: cannot listen on %s (%v): use --web HOST:PORT with a free port", n.cfg.Web.Listen, err)
	}
	defer webLn.Close()

	nw, err := n.startNetwork(ctx, webLn.Addr().String())
	if err != nil {
		return err
	}
	defer nw.close()
	n.net.Store(nw)
	defer n.net.Store(nil)

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return n.serveHTTP(ctx, operatorLn, n.operatorHandler(), nil) })
	g.Go(func() error { return n.serveHTTP(ctx, webLn, n.webHandler(), webTLS) })
	g.Go(func() error { return n.readGossip(ctx, nw) })
	g.Go(func() error { return n.syncOnConnect(ctx, nw) })
	g.Go(func() error { return n.keepPeersConnected(ctx, nw) })
	g.Go(func() error { return n.syncLoop(ctx, nw) })
	g.Go(func() error { return n.every(ctx, time.Hour, func() { n.maintainListings(ctx) }) })
	g.Go(func() error { return n.every(ctx, n.cfg.Store.GCInterval.D(), n.collectGarbage) })
	if nw.mdns != nil {
		g.Go(func() error { return nw.runMDNS(ctx, n.log.Warn) })
	}

	// Listings of this hub that are close to expiry are renewed at once, not
	// an hour after start: a hub that was off for weeks comes back in full.
	n.maintainListings(ctx)
	close(n.ready)
	n.log.Info("hub running", "id", n.id, "web", nw.webAddr)
	return g.Wait()
}

// every runs fn every interval until ctx ends.
func (n *Node) every(ctx context.Context, interval time.Duration, fn func()) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			fn()
		}
	}
}

func (n *Node) collectGarbage() {
	if err := n.store.GC(); err != nil {
		n.log.Warn("store garbage collection", "err", err)
	}
}

// serveHTTP serves h on ln, over TLS if tlsConfig is set, until ctx ends,
// then shuts the server down.
func (n *Node) serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, tlsConfig *tls.Config) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(n.log.Handler(), slog.LevelDebug),
		TLSConfig:         tlsConfig,
	}
	errc := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdownCtx)
		<-errc
		return nil
	}
}

func (n *Node) webHandler() http.Handler {
	if n.opts.Web != nil {
		return n.opts.Web(n)
	}
	return http.NotFoundHandler()
}

// Close closes the store. Call it after Run has returned; it is safe twice.
func (n *Node) Close() error {
	n.closeOnce.Do(func() { n.closeErr = n.store.Close() })
	return n.closeErr
}

// running is the network while Run has it up, else nil.
func (n *Node) running() *p2p { return n.net.Load() }
