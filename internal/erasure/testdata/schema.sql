-- The reference schema the erasure tests use: couples plan weddings,
-- guests are invited to them, suppliers are booked for them, and each
-- person has dependent rows (RSVPs, dietary needs, seats, messages). No
-- foreign key cascades: the erasure SQL names every dependent row.
CREATE TABLE couples (id text PRIMARY KEY, name text NOT NULL, email text NOT NULL);
CREATE TABLE weddings (id text PRIMARY KEY, couple_id text NOT NULL REFERENCES couples(id), day date NOT NULL);
CREATE TABLE suppliers (id text PRIMARY KEY, name text NOT NULL, email text NOT NULL);
CREATE TABLE guests (id text PRIMARY KEY, wedding_id text NOT NULL REFERENCES weddings(id), name text NOT NULL, email text);
CREATE TABLE rsvps (guest_id text PRIMARY KEY REFERENCES guests(id), attending boolean NOT NULL);
CREATE TABLE dietary_needs (guest_id text NOT NULL REFERENCES guests(id), need text NOT NULL);
CREATE TABLE seats (guest_id text PRIMARY KEY REFERENCES guests(id), table_no int NOT NULL);
CREATE TABLE bookings (supplier_id text NOT NULL REFERENCES suppliers(id), wedding_id text NOT NULL REFERENCES weddings(id), service text NOT NULL);
-- Messages name their sender by kind and id (guest, couple or supplier).
CREATE TABLE messages (id serial PRIMARY KEY, sender_kind text NOT NULL, sender_id text NOT NULL, body text NOT NULL);
