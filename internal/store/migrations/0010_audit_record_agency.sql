-- An event about a record names the agency whose record it is in its
-- details (record_agency, hashed with the event). This column repeats it,
-- so that an agency's administrators find every event on their agency's
-- records, not only those of their own staff; reading a row checks that
-- the two agree, so a changed column fails verification like a changed
-- event. Events written before carry the detail only on break-glass
-- grants: those are filled in here.
ALTER TABLE audit_events ADD COLUMN record_agency TEXT NOT NULL DEFAULT '';
UPDATE audit_events SET record_agency = COALESCE((SELECT a.id FROM agencies a
	WHERE audit_events.details LIKE '%"record_agency":"' || a.id || '"%'), '')
	WHERE details LIKE '%"record_agency":"%';
CREATE INDEX audit_events_record_agency ON audit_events(record_agency, seq);
