-- The app's erasure SQL for the reference schema (testdata/schema.sql):
-- `wedsync-infra erasure replay` runs these statements in order for each
-- ledger entry, in one savepoint, with $1 the subject id and $2 its kind.
-- Dependent rows go first (no cascades). Each statement ends with a
-- semicolon at the end of a line. Running them for a subject already gone
-- removes nothing: replay reports it "already absent".
--
-- A guest: their RSVP, dietary needs, seat, messages, then the guest.
DELETE FROM rsvps WHERE $2::text = 'guest' AND guest_id = $1::text;
DELETE FROM dietary_needs WHERE $2::text = 'guest' AND guest_id = $1::text;
DELETE FROM seats WHERE $2::text = 'guest' AND guest_id = $1::text;
-- A couple: everything under their weddings (guests and theirs, bookings),
-- the weddings, then the couple.
DELETE FROM rsvps WHERE $2::text = 'couple' AND guest_id IN
  (SELECT g.id FROM guests g JOIN weddings w ON w.id = g.wedding_id WHERE w.couple_id = $1::text);
DELETE FROM dietary_needs WHERE $2::text = 'couple' AND guest_id IN
  (SELECT g.id FROM guests g JOIN weddings w ON w.id = g.wedding_id WHERE w.couple_id = $1::text);
DELETE FROM seats WHERE $2::text = 'couple' AND guest_id IN
  (SELECT g.id FROM guests g JOIN weddings w ON w.id = g.wedding_id WHERE w.couple_id = $1::text);
DELETE FROM messages WHERE $2::text = 'couple' AND sender_kind = 'guest' AND sender_id IN
  (SELECT g.id FROM guests g JOIN weddings w ON w.id = g.wedding_id WHERE w.couple_id = $1::text);
DELETE FROM guests WHERE $2::text = 'couple' AND wedding_id IN (SELECT id FROM weddings WHERE couple_id = $1::text);
DELETE FROM bookings WHERE $2::text = 'couple' AND wedding_id IN (SELECT id FROM weddings WHERE couple_id = $1::text);
DELETE FROM weddings WHERE $2::text = 'couple' AND couple_id = $1::text;
-- A supplier: their bookings.
DELETE FROM bookings WHERE $2::text = 'supplier' AND supplier_id = $1::text;
-- Anyone: the messages they sent, then the person.
DELETE FROM messages WHERE sender_kind = $2::text AND sender_id = $1::text;
DELETE FROM guests WHERE $2::text = 'guest' AND id = $1::text;
DELETE FROM couples WHERE $2::text = 'couple' AND id = $1::text;
DELETE FROM suppliers WHERE $2::text = 'supplier' AND id = $1::text;
