package node

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/libp2p/go-libp2p/core/crypto"
)

// A node directory holds everything one hub is:
//
//	config.toml    the operator's settings (DefaultTOML on init)
//	identity.key   the hub's Ed25519 key: its peer ID and listing signatures (0600)
//	store.key      the key that encrypts the store at rest (0600)
//	store/         the Badger store
//	hearth.sock    the operator socket while the node runs (0600)
//	hearth.lock    who uses the directory: see LockDir (0600)
//	tls/           a certificate 'hearth tls selfsigned' made (key 0600)
const (
	configFile   = "config.toml"
	identityFile = "identity.key"
	storeKeyFile = "store.key"
	storeDir     = "store"
	socketFile   = "hearth.sock"
	lockFile     = "hearth.lock"
	tlsDir       = "tls"
)

// Errors about the node directory, for errors.Is.
var (
	// ErrExists: Init found a node already there.
	ErrExists = errors.New("this directory already holds a Hearth node")
	// ErrNoNode: the directory has no node yet.
	ErrNoNode = errors.New("no Hearth node in this directory")
	// ErrRunning: another process has the node's store open.
	ErrRunning = errors.New("another hearth is already running on this directory")
	// ErrDirBusy: LockDir could not have the lock now.
	ErrDirBusy = errors.New("another hearth holds this directory")
)

// LockDir takes the node directory's lock (an flock on hearth.lock),
// which tells a node starting up from a CLI command that opens the store
// itself, before either touches the store: 'hearth run' holds it
// exclusively for its whole life, from before it opens the store until it
// has closed it; a CLI command that opens the store itself holds it shared
// meanwhile. So a command never opens the store under a node that is
// starting (it waits for the socket instead), and a node starting while a
// command has the store waits for it rather than failing. ErrDirBusy if
// the lock cannot be had now; the returned func releases it.
func LockDir(dir string, exclusive bool) (release func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrDirBusy
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	// Closing the file releases the lock, also when the process dies.
	return func() { f.Close() }, nil
}

// Init makes a new node directory: config.toml with every default, a fresh
// identity and store key. It refuses a directory that already holds a node.
func Init(dir, name string) error {
	if IsNode(dir) {
		return fmt.Errorf("%s: %w; use another --dir", dir, ErrExists)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return fmt.Errorf("init: identity: %w", err)
	}
	keyBytes, err := crypto.MarshalPrivateKey(key)
	if err != nil {
		return fmt.Errorf("init: identity: %w", err)
	}
	storeKey := make([]byte, 32)
	if _, err := rand.Read(storeKey); err != nil {
		return fmt.Errorf("init: store key: %w", err)
	}
	// The config first and the identity last: a node is a directory with an
	// identity, so a crash half way leaves a directory Init can finish.
	if _, err := os.Stat(filepath.Join(dir, configFile)); errors.Is(err, fs.ErrNotExist) {
		if err := writeFileSync(filepath.Join(dir, configFile), DefaultTOML(name), 0o600); err != nil {
			return fmt.Errorf("init: %w", err)
		}
	}
	if err := writeFileSync(filepath.Join(dir, storeKeyFile), storeKey, 0o600); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	if err := writeFileSync(filepath.Join(dir, identityFile), keyBytes, 0o600); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	return nil
}

// IsNode reports whether dir holds a node (has an identity).
func IsNode(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, identityFile))
	return err == nil
}

// SocketPath is where a running node listens for the operator.
func SocketPath(dir string) string { return filepath.Join(dir, socketFile) }

// ConfigPath is where the node in dir keeps its config.toml.
func ConfigPath(dir string) string { return filepath.Join(dir, configFile) }

func loadIdentity(dir string) (crypto.PrivKey, error) {
	data, err := os.ReadFile(filepath.Join(dir, identityFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (%s): run 'hearth init' or 'hearth run' first", ErrNoNode, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	key, err := crypto.UnmarshalPrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("identity: %s is damaged: %v", filepath.Join(dir, identityFile), err)
	}
	return key, nil
}

func loadStoreKey(dir string) ([]byte, error) {
	key, err := os.ReadFile(filepath.Join(dir, storeKeyFile))
	if err != nil {
		return nil, fmt.Errorf("store key: %w", err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("store key: %s is damaged (%d bytes, want 32)", filepath.Join(dir, storeKeyFile), len(key))
	}
	return key, nil
}

// writeFileSync writes a file and syncs it, so a power cut right after init
// does not leave an empty key file.
func writeFileSync(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
