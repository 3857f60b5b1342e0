-- A database made by matcher 0.1.0 (schema version 1), dumped with sqlite3 iterdump: the migration tests upgrade it.
BEGIN TRANSACTION;
CREATE TABLE enterprise_names (
	norm_name VARCHAR(255) NOT NULL, 
	enterprise_id VARCHAR(16) NOT NULL, 
	name TEXT NOT NULL, 
	PRIMARY KEY (norm_name)
);
INSERT INTO "enterprise_names" VALUES('京东','EB0922629CA','京东集团');
INSERT INTO "enterprise_names" VALUES('恒力','ECFBA1D5429','恒力集团有限公司');
CREATE TABLE enterprises (
	enterprise_id VARCHAR(16) NOT NULL, 
	name TEXT NOT NULL, 
	merged_into VARCHAR(16), 
	PRIMARY KEY (enterprise_id)
);
INSERT INTO "enterprises" VALUES('EB0922629CA','京东集团',NULL);
INSERT INTO "enterprises" VALUES('ECFBA1D5429','恒力集团有限公司',NULL);
CREATE TABLE imports (
	import_id INTEGER NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	list_type VARCHAR(64) NOT NULL, 
	year INTEGER NOT NULL, 
	source_name VARCHAR(255) NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	n_rows INTEGER NOT NULL, 
	imported_at VARCHAR(32) NOT NULL, 
	PRIMARY KEY (import_id), 
	CONSTRAINT uq_import UNIQUE (kind, list_type, year, source_name)
);
INSERT INTO "imports" VALUES(1,'list','china_private_top500',2026,'l.csv','f4c550e3f5e9d337acae4e2b82b455c67be8559004665951c483b41ad096dd0e',2,'2026-11-29T16:33:30Z');
CREATE TABLE list_entries (
	import_id INTEGER NOT NULL, 
	source_row INTEGER NOT NULL, 
	list_type VARCHAR(64) NOT NULL, 
	year INTEGER NOT NULL, 
	rank INTEGER, 
	enterprise_id VARCHAR(16) NOT NULL, 
	name TEXT NOT NULL, 
	revenue FLOAT, 
	revenue_unit VARCHAR(16) NOT NULL, 
	industry TEXT NOT NULL, 
	business TEXT NOT NULL, 
	country TEXT NOT NULL, 
	province TEXT NOT NULL, 
	city TEXT NOT NULL, 
	hq TEXT NOT NULL, 
	PRIMARY KEY (import_id, source_row), 
	FOREIGN KEY(import_id) REFERENCES imports (import_id) ON DELETE CASCADE
);
INSERT INTO "list_entries" VALUES(1,2,'china_private_top500',2026,1,'EB0922629CA','京东集团',NULL,'','','','','北京市','','');
INSERT INTO "list_entries" VALUES(1,3,'china_private_top500',2026,2,'ECFBA1D5429','恒力集团有限公司',NULL,'','','','','江苏省','','');
CREATE TABLE merges (
	merge_id INTEGER NOT NULL, 
	kept_id VARCHAR(16) NOT NULL, 
	merged_id VARCHAR(16) NOT NULL, 
	rule TEXT NOT NULL, 
	import_id INTEGER, 
	at VARCHAR(32) NOT NULL, 
	PRIMARY KEY (merge_id)
);
CREATE TABLE meta (
	"key" VARCHAR(64) NOT NULL, 
	value TEXT, 
	PRIMARY KEY ("key")
);
INSERT INTO "meta" VALUES('schema_version','1');
CREATE TABLE profiles (
	enterprise_id VARCHAR(16) NOT NULL, 
	import_id INTEGER NOT NULL, 
	source_row INTEGER NOT NULL, 
	name TEXT NOT NULL, 
	name_en TEXT NOT NULL, 
	aliases TEXT NOT NULL, 
	industry TEXT NOT NULL, 
	business TEXT NOT NULL, 
	country TEXT NOT NULL, 
	province TEXT NOT NULL, 
	city TEXT NOT NULL, 
	hq TEXT NOT NULL, 
	ownership VARCHAR(16) NOT NULL, 
	PRIMARY KEY (enterprise_id), 
	FOREIGN KEY(import_id) REFERENCES imports (import_id) ON DELETE CASCADE
);
CREATE INDEX ix_enterprise_names_enterprise_id ON enterprise_names (enterprise_id);
CREATE INDEX ix_list_entries_enterprise_id ON list_entries (enterprise_id);
CREATE INDEX ix_list_entries_list_type ON list_entries (list_type);
COMMIT;
