"""The foundation every area builds on: database, migrations, clock, jobs, audit, access rules,
catalogues, form rules, signing, QR codes, photos, headers and error pages. It imports no area."""
