package dbusers

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// The writer's password goes to the server as a SCRAM-SHA-256 verifier,
// never as text: PostgreSQL stores a verifier it is given as is, and the
// text would otherwise be in the statement, where a statement log
// (log_min_duration_statement, pgaudit) could keep it
// (postgresql.org/docs/current/sql-createrole.html, "PASSWORD"). The
// verifier is PostgreSQL's own form (src/common/scram-common.c, RFC 5802
// and RFC 7677): SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>,
// with PostgreSQL's defaults of 4096 iterations and a 16-byte salt.
const (
	scramIterations = 4096
	scramSaltLen    = 16
)

// scramVerifier is password's verifier with a new random salt. Only
// printable ASCII is accepted: PostgreSQL applies SASLprep to anything
// else before hashing, which this does not (the deploy path's passwords
// are hex).
func scramVerifier(password string) (string, error) {
	for _, r := range password {
		if r < 0x20 || r > 0x7e {
			return "", errors.New("the password holds a character other than printable ASCII (the deploy path generates hex)")
		}
	}
	salt := make([]byte, scramSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return scramVerifierWith(password, salt, scramIterations)
}

func scramVerifierWith(password string, salt []byte, iterations int) (string, error) {
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		return "", err
	}
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	stored := sha256.Sum256(mac(salted, "Client Key"))
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", iterations, b64(salt), b64(stored[:]), b64(mac(salted, "Server Key"))), nil
}
