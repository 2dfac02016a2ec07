// Command notecheck is a third-party check of custody's checkpoints: it verifies a signed
// checkpoint note with golang.org/x/mod/sumdb/note (the Go checksum database's note code), and
// verifies C2SP tlog-cosignature cosignature/v1 witness signatures with a verifier written here
// from the spec (x/mod only knows Ed25519 note signatures).
//
// Usage:
//
//	notecheck -note FILE -key VKEY [-witness VKEY]... [-origin ORIGIN] [-size N]
//
// It prints one line per verified signature ("verified <name>+<hash>" or
// "cosigned <name>+<hash> <timestamp>") and then "ok", or an error and exits 1.
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

// cosigV1 verifies cosignature/v1 (type 0x04) signatures: timestamp(8) || Ed25519 over
// "cosignature/v1\ntime <t>\n" || note text.
type cosigV1 struct {
	name string
	hash uint32
	key  ed25519.PublicKey
	time *uint64
}

func (c *cosigV1) Name() string    { return c.name }
func (c *cosigV1) KeyHash() uint32 { return c.hash }
func (c *cosigV1) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	if t >= 1<<63 {
		return false
	}
	m := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", t)), msg...)
	if !ed25519.Verify(c.key, m, sig[8:]) {
		return false
	}
	*c.time = t
	return true
}

func newCosigVerifier(vkey string) (*cosigV1, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, errors.New("malformed witness vkey")
	}
	name := parts[0]
	hash, err := strconv.ParseUint(parts[1], 16, 32)
	if err != nil || len(parts[1]) != 8 {
		return nil, errors.New("malformed witness key hash")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != 0x04 {
		return nil, errors.New("witness vkey is not a cosignature/v1 (0x04) Ed25519 key")
	}
	// Key ID per signed-note: SHA-256(name || 0x0A || type || key)[:4].
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n'})
	h.Write(raw)
	if binary.BigEndian.Uint32(h.Sum(nil)[:4]) != uint32(hash) {
		return nil, errors.New("witness vkey hash does not match the key")
	}
	var t uint64
	return &cosigV1{name: name, hash: uint32(hash), key: ed25519.PublicKey(raw[1:]), time: &t}, nil
}

func main() {
	notePath := flag.String("note", "", "signed checkpoint note file")
	vkey := flag.String("key", "", "log verifier key (name+hash+base64)")
	origin := flag.String("origin", "", "expected origin (first line)")
	size := flag.String("size", "", "expected tree size (second line)")
	var witnesses multi
	flag.Var(&witnesses, "witness", "witness cosignature/v1 verifier key; every one given must have cosigned")
	flag.Parse()
	if err := run(*notePath, *vkey, *origin, *size, witnesses); err != nil {
		fmt.Fprintln(os.Stderr, "notecheck:", err)
		os.Exit(1)
	}
	fmt.Println("ok")
}

func run(notePath, vkey, origin, size string, witnesses []string) error {
	msg, err := os.ReadFile(notePath)
	if err != nil {
		return err
	}
	logV, err := note.NewVerifier(vkey)
	if err != nil {
		return fmt.Errorf("log key: %v", err)
	}
	verifiers := []note.Verifier{logV}
	var cosigners []*cosigV1
	for _, w := range witnesses {
		c, err := newCosigVerifier(w)
		if err != nil {
			return fmt.Errorf("witness key %q: %v", w, err)
		}
		cosigners = append(cosigners, c)
		verifiers = append(verifiers, c)
	}
	n, err := note.Open(msg, note.VerifierList(verifiers...))
	if err != nil {
		return fmt.Errorf("note.Open: %v", err)
	}
	logSigned := false
	for _, s := range n.Sigs {
		if s.Name == logV.Name() && s.Hash == logV.KeyHash() {
			logSigned = true
			fmt.Printf("verified %s+%08x\n", s.Name, s.Hash)
		}
	}
	if !logSigned {
		return errors.New("no verified signature by the log key")
	}
	for _, c := range cosigners {
		found := false
		for _, s := range n.Sigs {
			if s.Name == c.name && s.Hash == c.hash {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("no verified cosignature by witness %s", c.name)
		}
		fmt.Printf("cosigned %s+%08x %d\n", c.name, c.hash, *c.time)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return errors.New("checkpoint text has fewer than 3 lines")
	}
	if origin != "" && lines[0] != origin {
		return fmt.Errorf("origin %q, expected %q", lines[0], origin)
	}
	if size != "" && lines[1] != size {
		return fmt.Errorf("size %q, expected %q", lines[1], size)
	}
	if root, err := base64.StdEncoding.DecodeString(lines[2]); err != nil || len(root) != 32 {
		return fmt.Errorf("root hash %q is not base64 of 32 bytes", lines[2])
	}
	return nil
}
