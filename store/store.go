// Package store keeps a hub's state in Badger: the signed listings it holds
// (envelopes kept verbatim), its peer book, its members' accounts and their
// sealed check-ins and other sealed records (safety plans, buddy links,
// routines), and a little metadata such as the schema version.
//
// It is the only package that imports Badger. The whole database is
// encrypted at rest with AES-256 (Badger's encryption), so a copied disk
// shows nothing without the store key; check-ins and member profiles are
// sealed again by package members with keys the operator never holds, so
// to this package they are opaque bytes.
//
// Badger allows one process per directory: a second Open while the first
// is open fails with ErrLocked. A Store is safe for concurrent use.
package store

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/dgraph-io/badger/v4"
)

// Errors callers test with errors.Is.
var (
	// ErrLocked: another process has the store open (Badger takes an
	// exclusive lock on its directory). Returned by Open.
	ErrLocked = errors.New("store: in use by another process")
	// ErrWrongKey: the encryption key is missing, not 32 bytes, or not the
	// key the store was created with. Returned by Open.
	ErrWrongKey = errors.New("store: wrong encryption key")
	// ErrNotFound: no record under that key. Returned by the Get and Delete
	// methods (but not DeleteListing, see there).
	ErrNotFound = errors.New("store: not found")
	// ErrNewerSchema: a newer Hearth wrote this store. Returned by Open.
	ErrNewerSchema = errors.New("store: written by a newer version of hearth")
	// ErrClosed: the store was closed. Returned by every method after Close.
	ErrClosed = errors.New("store: closed")
)

// KeySize is the length of the encryption key: AES-256.
const KeySize = 32

// Key layout. Every table is a one-byte prefix; the rest of the key is the
// record's ID. Tables whose ID is a member's nickname write the nickname
// length-prefixed (one byte of length, then the bytes), so one member's key
// range is never a prefix of another's ("bob" and "bobby") and a member's
// records can be found, counted and dropped by prefix.
//
// These bytes are on disk: only append new prefixes, never reuse one.
const (
	prefixMeta    = 'm' // 'm' key                     -> raw bytes
	prefixListing = 'l' // 'l' listing ID              -> 8-byte big-endian seq, then the envelope
	prefixPeer    = 'p' // 'p' peer ID                 -> Peer as JSON
	prefixMember  = 'u' // 'u' len nick                -> Member as JSON
	prefixCheckIn = 'c' // 'c' len nick, 16-byte ID    -> sealed check-in
	prefixLockout = 'a' // 'a' 32-byte name key         -> Lockout as JSON
	// A member's sealed records beside their account (one each; see
	// MemberRecord), and what members share without the store knowing
	// whose it is: buddy signals and calendar feeds, keyed by random IDs
	// and hashes that only the members' own sealed records name.
	prefixSafetyPlan = 's' // 's' len nick                  -> sealed safety plan
	prefixBuddies    = 'b' // 'b' len nick                  -> sealed buddy book (links, settings)
	prefixRoutine    = 'r' // 'r' len nick                  -> sealed routine (my meetings, feed)
	prefixSignal     = 'n' // 'n' 16-byte signal ID         -> signal sealed under its link's key
	prefixFeed       = 'f' // 'f' 32-byte hash of a secret  -> feed sealed under a key from the secret
)

// Options configure Open.
type Options struct {
	// Dir is the directory Badger keeps its files in; it is created (mode
	// 0700) if missing.
	Dir string
	// EncryptionKey is the 32-byte AES-256 key the store is encrypted with
	// at rest. Required: Hearth never keeps an unencrypted store.
	EncryptionKey []byte
	// Logger receives Badger's warnings and errors; nil discards them.
	// Nothing logged here carries record contents, PINs or keys.
	Logger *slog.Logger
}

// Store is a hub's open Badger database.
type Store struct {
	db  *badger.DB
	log *slog.Logger

	// Close must not pull the database out from under a running call:
	// Badger panics rather than erring on some calls after Close. Every
	// method enters (counted in busy) unless closed is set; Close sets it,
	// then waits for busy. A counter rather than an RWMutex, so a
	// ForEachListing callback may call the store again without deadlocking
	// against a waiting Close.
	mu     sync.Mutex
	closed bool
	busy   sync.WaitGroup

	// writes: every write holds it for reading; DeleteMember holds it for
	// writing while Badger drops the member's records, since Badger fails
	// (rather than delays) writes that arrive during a drop.
	writes sync.RWMutex
}

// Open opens (or creates) the store in opts.Dir. A store used by another
// process gives an error wrapping ErrLocked, a wrong key one wrapping
// ErrWrongKey.
func Open(opts Options) (*Store, error) {
	if len(opts.EncryptionKey) != KeySize {
		return nil, fmt.Errorf("%w: need %d bytes, got %d", ErrWrongKey, KeySize, len(opts.EncryptionKey))
	}
	if opts.Dir == "" {
		return nil, errors.New("store: open: no directory given")
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	db, err := badger.Open(badgerOptions(opts.Dir, opts.EncryptionKey, log))
	if err != nil {
		// Badger's own text for these two is long and names its internals;
		// the operator needs to know what happened and what to do.
		switch {
		case isLockError(err):
			return nil, fmt.Errorf("%w (%s)", ErrLocked, opts.Dir)
		case errors.Is(err, badger.ErrEncryptionKeyMismatch):
			return nil, fmt.Errorf("%w for %s: open it with the key it was created with", ErrWrongKey, opts.Dir)
		}
		return nil, fmt.Errorf("store: open %s: %w", opts.Dir, err)
	}
	s := &Store{db: db, log: log}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// badgerOptions tunes Badger for a cheap board with little memory: a hub
// holds thousands of small records, not gigabytes, so Badger's defaults
// (64 MiB memtables, five of them, a 256 MiB block cache, 1 GiB value-log
// files) would cost far more memory than the data ever needs.
func badgerOptions(dir string, key []byte, log *slog.Logger) badger.Options {
	return badger.DefaultOptions(dir).
		WithLogger(badgerLogger{log}).
		WithEncryptionKey(key).
		// Two 8 MiB memtables: writes keep flowing while one flushes, and
		// at most ~20 MiB of memtable arenas are mapped.
		WithMemTableSize(8 << 20).
		WithNumMemtables(2).
		// Encryption requires a block cache (blocks are decrypted into it)
		// and an index cache (else every table index stays decrypted in
		// memory). 8 MiB each holds the working set of a hub.
		WithBlockCacheSize(8 << 20).
		WithIndexCacheSize(8 << 20).
		// Every record here is far smaller than this (a listing envelope is
		// at most protocol.MaxEnvelopeSize, 9 KiB), so values live in the
		// LSM tree: a DropPrefix when a member is erased then rewrites the
		// tables that held their records, instead of leaving them in value
		// log files until GC. It must stay below 15% of the memtable size.
		WithValueThreshold(64 << 10).
		WithValueLogFileSize(64 << 20).
		// Two is the fewest Badger allows short of none (which stalls
		// writes forever); a small board has one or two cores to spare.
		WithNumCompactors(2).
		WithNumVersionsToKeep(1).
		WithNumGoroutines(2).
		// Badger's metrics are process-wide expvars nothing here reads.
		WithMetricsEnabled(false)
}

// isLockError reports whether Badger's Open failed on its directory lock.
// Badger flattens that error to text (y.Wrapf formats with %+v), so the
// text is all there is to go on; TestOpenLocked fails if an upgrade
// changes it.
func isLockError(err error) bool {
	return strings.Contains(err.Error(), "Cannot acquire directory lock")
}

// Close flushes and closes the store. It is safe to call twice; every
// other method returns ErrClosed after it.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.busy.Wait()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Sync flushes every write so far to disk, so it survives a crash or a
// power cut.
func (s *Store) Sync() error {
	if !s.enter() {
		return ErrClosed
	}
	defer s.leave()
	return s.syncDB()
}

func (s *Store) syncDB() error {
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("store: sync: %w", err)
	}
	return nil
}

// maxGCRounds bounds one GC call, so a pathological value log cannot keep
// Close waiting; the next timer tick carries on.
const maxGCRounds = 100

// GC reclaims value-log space, one file per round, until there is nothing
// left worth rewriting. The node calls it on a timer. With the value
// threshold above almost nothing reaches the value log, so this is usually
// a quick no-op; it keeps the log small if that ever changes.
func (s *Store) GC() error {
	if !s.enter() {
		return ErrClosed
	}
	defer s.leave()
	for range maxGCRounds {
		// 0.5: rewrite a file once half of it is garbage, Badger's advice
		// (a lifetime write amplification of 2).
		err := s.db.RunValueLogGC(0.5)
		switch {
		case errors.Is(err, badger.ErrNoRewrite), errors.Is(err, badger.ErrRejected):
			// Nothing left to collect, or another GC is already at it.
			return nil
		case err != nil:
			return fmt.Errorf("store: gc: %w", err)
		}
	}
	return nil
}

// enter admits a call unless the store is closed; leave ends it.
func (s *Store) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.busy.Add(1)
	return true
}

func (s *Store) leave() { s.busy.Done() }

// view runs fn in a read transaction.
func (s *Store) view(fn func(*badger.Txn) error) error {
	if !s.enter() {
		return ErrClosed
	}
	defer s.leave()
	return s.db.View(fn)
}

// maxConflictRetries bounds how often a read-modify-write transaction is
// retried after losing a race to a concurrent one.
const maxConflictRetries = 32

// update runs fn in a read-write transaction, retrying it when a concurrent
// transaction changed what it read (badger.ErrConflict). If sync is set,
// the write is flushed to disk before update returns.
func (s *Store) update(sync bool, fn func(*badger.Txn) error) error {
	if !s.enter() {
		return ErrClosed
	}
	defer s.leave()
	return s.updateEntered(sync, fn)
}

// updateEntered is update for a caller that has entered already.
func (s *Store) updateEntered(sync bool, fn func(*badger.Txn) error) error {
	s.writes.RLock()
	var err error
	for range maxConflictRetries {
		if err = s.db.Update(fn); !errors.Is(err, badger.ErrConflict) {
			break
		}
	}
	s.writes.RUnlock()
	if err != nil {
		if errors.Is(err, badger.ErrConflict) {
			return errors.New("store: too many concurrent writes to one record: try again")
		}
		return err
	}
	if sync {
		return s.syncDB()
	}
	return nil
}

// get copies the value under key; ErrNotFound if there is none.
func get(txn *badger.Txn, key []byte) ([]byte, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

// forEach calls fn with the key (after the prefix) and a copy of the value
// of every record whose key starts with prefix, in key order.
func forEach(txn *badger.Txn, prefix []byte, fn func(rest, value []byte) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 16})
	defer it.Close()
	for it.Rewind(); it.ValidForPrefix(prefix); it.Next() {
		item := it.Item()
		v, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		if err := fn(item.Key()[len(prefix):], v); err != nil {
			return err
		}
	}
	return nil
}

// keysWithPrefix returns copies of every key that starts with prefix.
func keysWithPrefix(txn *badger.Txn, prefix []byte) [][]byte {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	var keys [][]byte
	for it.Rewind(); it.ValidForPrefix(prefix); it.Next() {
		keys = append(keys, it.Item().KeyCopy(nil))
	}
	return keys
}

// tableKey joins a table prefix and a record ID.
func tableKey(prefix byte, id string) []byte {
	k := make([]byte, 0, 1+len(id))
	return append(append(k, prefix), id...)
}

// badgerLogger routes Badger's warnings and errors to slog at warning
// level and drops its chatter (it logs every flush and compaction at info
// level). Errors go out as warnings too: Badger logs the errors it also
// returns (a wrong key is "Received err: ... Cleaning up"), and the caller
// decides how bad those are.
type badgerLogger struct{ log *slog.Logger }

func (l badgerLogger) Errorf(format string, args ...any) {
	l.log.Warn("store: badger: " + strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (l badgerLogger) Warningf(format string, args ...any) {
	l.log.Warn("store: badger: " + strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}
