"""Records from files (spec 7): the upload's file checks (7.1) and parsing (7.2), shared by
`POST /data/<group>/<type>/upload` and `backdrop import`.

`files` checks a file and says which parser reads it; `csv_sheet`, `excel` and `json_lines`
read it; `filters` picks the sheet; `rows` turns rows into numbered records; `parse` ties them
together; `writing` sends the records through the write pipeline, naming the rows at fault.
"""
