Attribute VB_Name = "CchcKiemTra"
' cchc-xl: the "Kiem tra" (validate) and "Xoa danh dau" (clear highlights) buttons.
'
' Two tiers. When the xlwings add-in is loaded, KiemTra hands over to Python
' (cchc_xl.excel.validate_button), which runs the same validator as
' "cchc-xl validate". Otherwise, or when Python did not finish, the workbook
' checks itself here: recalculate, read the rule rows of the Kiem tra sheet
' (found through the defined name KT_RESULT), highlight the input cells that
' column F lists for every violated rule, select the first one and report a
' Vietnamese summary.
'
' Every highlight is recorded, with the cell's original fill, on the very
' hidden sheet CCHC_DanhDau, so XoaDanhDau restores exactly what was changed,
' even after the workbook was saved and reopened. Both tiers share that ledger.
' Row 1 of the ledger holds the last summary (B1), the tier that wrote it (C1)
' and the error and warning counts (D1, E1); rows 2.. hold sheet, address,
' original fill (-4142 = none) and whether a note was added.
'
' The source stays ASCII: VBA keeps it in the ANSI code page, so Vietnamese
' text is built with ChrW. No error may reach the user as a VBA dialog: every
' public entry point has an error handler.
Option Explicit

Private Const LEDGER_SHEET As String = "CCHC_DanhDau"
Private Const RESULT_NAME As String = "KT_RESULT"
Private Const FIRST_RULE_ROW As Long = 4
Private Const COL_STATUS As Long = 3
Private Const COL_CELLS As Long = 6
Private Const COL_SEVERITY As Long = 7
Private Const NO_FILL As Long = -4142
Private Const HIGHLIGHT_COLOR As Long = 13551615 ' RGB(255, 199, 206)
Private Const VERY_HIDDEN As Long = 2
Private Const PY_VALIDATE As String = "import cchc_xl.excel; cchc_xl.excel.validate_button()"
Private Const PY_CLEAR As String = "import cchc_xl.excel; cchc_xl.excel.clear_button()"
Private Const XLWINGS_ADDIN As String = "xlwings.xlam"

' Sheets unprotected while marking, re-protected at the end.
Private mUnprotected As Collection

' ------------------------------------------------------------------ buttons

Public Sub KiemTra()
    Dim failure As String
    On Error GoTo Failed
    If PythonAvailable() Then
        If RunPythonTier(PY_VALIDATE) Then Exit Sub
    End If
    ValidateHere
    Exit Sub
Failed:
    failure = Err.Description
    Resume ReportFailure ' leaves the handler, so the clean-up below runs under its own error handling
ReportFailure:
    Recover failure
End Sub

Public Sub XoaDanhDau()
    Dim failure As String, restored As Long
    On Error GoTo Failed
    If PythonAvailable() Then
        If RunPythonTier(PY_CLEAR) Then Exit Sub
    End If
    restored = ClearMarks()
    Announce TextCleared(restored), -1, -1, "vba"
    Exit Sub
Failed:
    failure = Err.Description
    Resume ReportFailure
ReportFailure:
    Recover failure
End Sub

' After an unexpected error: protect again what was unprotected and say what happened.
Private Sub Recover(ByVal failure As String)
    On Error Resume Next
    ReprotectAll
    Announce TextFailed() & failure, -1, -1, "vba"
End Sub

' ------------------------------------------------------------ Python tier

' True when the xlwings add-in is open in this Excel (never in LibreOffice).
Private Function PythonAvailable() As Boolean
    Dim addin As Object
    On Error Resume Next
    Set addin = Application.Workbooks(XLWINGS_ADDIN)
    PythonAvailable = Not (addin Is Nothing)
    Err.Clear
End Function

' Run a Python command through xlwings; True only when Python reported back
' by writing "python" into the ledger's tier cell.
Private Function RunPythonTier(ByVal pyCommand As String) As Boolean
    Dim ledger As Object
    On Error GoTo Failed
    Set ledger = LedgerSheet()
    ledger.Cells(1, 3).Value = "pending"
    Application.Run "'" & XLWINGS_ADDIN & "'!RunPython", pyCommand
    RunPythonTier = (CStr(LedgerSheet().Cells(1, 3).Value) = "python")
    Exit Function
Failed:
    RunPythonTier = False
End Function

' ---------------------------------------------------------------- VBA tier

Private Sub ValidateHere()
    Dim checks As Object, r As Long, errors As Long, warnings As Long
    Dim first As Object
    ClearMarks
    Recalculate
    Set checks = CheckSheet()
    Set mUnprotected = New Collection
    r = FIRST_RULE_ROW
    Do While Len(CellText(checks.Cells(r, 1))) > 0
        If CellText(checks.Cells(r, COL_STATUS)) = ChrW(&H2717) Then
            If CellText(checks.Cells(r, COL_SEVERITY)) = TextWarningLabel() Then
                warnings = warnings + 1
            Else
                errors = errors + 1
            End If
            MarkCells CellText(checks.Cells(r, COL_CELLS)), first
        End If
        r = r + 1
    Loop
    ReprotectAll
    Announce TextSummary(errors, warnings), errors, warnings, "vba"
    If Not (first Is Nothing) Then SelectCell first
End Sub

' Highlight every cell of a ";"-separated list of sheet-qualified addresses.
Private Sub MarkCells(ByVal addresses As String, ByRef first As Object)
    Dim parts As Variant, i As Long, target As Object, cell As Object
    If Len(Trim$(addresses)) = 0 Then Exit Sub
    parts = Split(addresses, ";")
    For i = LBound(parts) To UBound(parts)
        Set target = ResolveRange(Trim$(CStr(parts(i))))
        If Not (target Is Nothing) Then
            For Each cell In target.Cells
                MarkCell cell
                If first Is Nothing Then Set first = cell
            Next cell
        End If
    Next i
End Sub

Private Sub MarkCell(ByVal cell As Object)
    Dim ledger As Object, row As Long, sheetName As String, address As String
    Set ledger = LedgerSheet()
    sheetName = cell.Worksheet.Name
    address = cell.Address
    If LedgerRow(ledger, sheetName, address) > 0 Then Exit Sub
    row = NextLedgerRow(ledger)
    ledger.Cells(row, 1).Value = sheetName
    ledger.Cells(row, 2).Value = address
    ledger.Cells(row, 3).Value = CurrentFill(cell)
    ledger.Cells(row, 4).Value = 0
    LiftProtection cell.Worksheet
    cell.Interior.Color = HIGHLIGHT_COLOR
End Sub

' Restore every recorded cell whose fill is still our highlight; empty the ledger.
Private Function ClearMarks() As Long
    Dim ledger As Object, row As Long, cell As Object, fill As Long
    Set ledger = LedgerSheet()
    Set mUnprotected = New Collection
    row = 2
    Do While Len(CellText(ledger.Cells(row, 2))) > 0
        Set cell = Nothing
        On Error Resume Next
        Set cell = ThisWorkbook.Worksheets(CellText(ledger.Cells(row, 1))).Range(CellText(ledger.Cells(row, 2)))
        On Error GoTo 0
        If Not (cell Is Nothing) Then
            If CurrentFill(cell) = HIGHLIGHT_COLOR Then
                LiftProtection cell.Worksheet
                fill = CLng(ledger.Cells(row, 3).Value)
                If fill = NO_FILL Then
                    cell.Interior.ColorIndex = NO_FILL
                Else
                    cell.Interior.Color = fill
                End If
                ClearMarks = ClearMarks + 1
            End If
            If CellText(ledger.Cells(row, 4)) = "1" Then
                On Error Resume Next
                LiftProtection cell.Worksheet
                cell.Comment.Delete
                On Error GoTo 0
            End If
        End If
        row = row + 1
    Loop
    If row > 2 Then ledger.Range(ledger.Cells(2, 1), ledger.Cells(row - 1, 4)).ClearContents
    ReprotectAll
End Function

' ----------------------------------------------------------------- helpers

Private Function CheckSheet() As Object
    Set CheckSheet = ThisWorkbook.Names(RESULT_NAME).RefersToRange.Worksheet
End Function

' The very hidden ledger sheet, created on first use.
Private Function LedgerSheet() As Object
    Dim sheet As Object, active As Object
    On Error Resume Next
    Set sheet = ThisWorkbook.Worksheets(LEDGER_SHEET)
    On Error GoTo 0
    If sheet Is Nothing Then
        Set active = ActiveSheet
        Set sheet = ThisWorkbook.Worksheets.Add(After:=ThisWorkbook.Worksheets(ThisWorkbook.Worksheets.Count))
        sheet.Name = LEDGER_SHEET
        sheet.Cells(1, 1).Value = "cchc-xl"
        sheet.Visible = VERY_HIDDEN
        If Not (active Is Nothing) Then
            On Error Resume Next
            active.Activate
            On Error GoTo 0
        End If
    End If
    Set LedgerSheet = sheet
End Function

Private Function LedgerRow(ByVal ledger As Object, ByVal sheetName As String, ByVal address As String) As Long
    Dim row As Long
    row = 2
    Do While Len(CellText(ledger.Cells(row, 2))) > 0
        If CellText(ledger.Cells(row, 1)) = sheetName And CellText(ledger.Cells(row, 2)) = address Then
            LedgerRow = row
            Exit Function
        End If
        row = row + 1
    Loop
End Function

Private Function NextLedgerRow(ByVal ledger As Object) As Long
    Dim row As Long
    row = 2
    Do While Len(CellText(ledger.Cells(row, 2))) > 0
        row = row + 1
    Loop
    NextLedgerRow = row
End Function

' "'Sheet name'!$D$43" or "Sheet!D43" -> the range, or Nothing.
Private Function ResolveRange(ByVal reference As String) As Object
    Dim bang As Long, sheetName As String, address As String
    On Error GoTo Failed
    bang = InStrRev(reference, "!")
    If bang = 0 Then Exit Function
    sheetName = Left$(reference, bang - 1)
    address = Mid$(reference, bang + 1)
    If Left$(sheetName, 1) = "'" And Right$(sheetName, 1) = "'" And Len(sheetName) >= 2 Then
        sheetName = Replace(Mid$(sheetName, 2, Len(sheetName) - 2), "''", "'")
    End If
    Set ResolveRange = ThisWorkbook.Worksheets(sheetName).Range(address)
    Exit Function
Failed:
    Set ResolveRange = Nothing
End Function

' A cell's fill colour, or NO_FILL. Excel answers ColorIndex xlNone for no fill; LibreOffice answers
' Color -1 (transparent).
Private Function CurrentFill(ByVal cell As Object) As Long
    Dim colour As Long
    On Error GoTo Failed
    colour = CLng(cell.Interior.Color)
    If colour < 0 Or cell.Interior.ColorIndex = NO_FILL Then
        CurrentFill = NO_FILL
    Else
        CurrentFill = colour
    End If
    Exit Function
Failed:
    CurrentFill = NO_FILL
End Function

' A cell's value as text; error values read as "".
Private Function CellText(ByVal cell As Object) As String
    On Error GoTo Failed
    If IsError(cell.Value) Then Exit Function
    CellText = CStr(cell.Value)
    Exit Function
Failed:
    CellText = ""
End Function

' The template protects sheets without a password; lift it while formatting.
Private Sub LiftProtection(ByVal sheet As Object)
    If Not sheet.ProtectContents Then Exit Sub
    If mUnprotected Is Nothing Then Set mUnprotected = New Collection
    sheet.Unprotect ""
    mUnprotected.Add sheet
End Sub

' Protect again with the template's options (formatting rows and columns allowed). LibreOffice knows
' only the first arguments of Protect, hence the plain call when the full one is refused.
Private Sub ReprotectAll()
    Dim sheet As Object
    If mUnprotected Is Nothing Then Exit Sub
    For Each sheet In mUnprotected
        On Error Resume Next
        sheet.Protect Password:="", DrawingObjects:=True, Contents:=True, Scenarios:=True, _
            AllowFormattingColumns:=True, AllowFormattingRows:=True
        If Err.Number <> 0 Then
            Err.Clear
            sheet.Protect ""
        End If
        On Error GoTo 0
    Next sheet
    Set mUnprotected = New Collection
End Sub

' Excel: a full recalculation; LibreOffice has no CalculateFull, only Calculate.
Private Sub Recalculate()
    On Error Resume Next
    Application.CalculateFull
    If Err.Number <> 0 Then
        Err.Clear
        Application.Calculate
    End If
End Sub

Private Sub SelectCell(ByVal cell As Object)
    On Error Resume Next
    cell.Worksheet.Activate
    cell.Select
End Sub

' Record the summary on the ledger, show it in the status bar and, in Excel
' with dialogs allowed, in a message box.
Private Sub Announce(ByVal summary As String, ByVal errors As Long, ByVal warnings As Long, ByVal tier As String)
    Dim ledger As Object
    On Error Resume Next
    Set ledger = LedgerSheet()
    ledger.Cells(1, 2).Value = summary
    ledger.Cells(1, 3).Value = tier
    ledger.Cells(1, 4).Value = errors
    ledger.Cells(1, 5).Value = warnings
    If Not RunsInExcel() Then Exit Sub ' LibreOffice headless (the tests) has no status bar to show
    Application.StatusBar = summary
    If DialogsAllowed() Then MsgBox summary, vbInformation, TextTitle()
End Sub

' No dialog in LibreOffice (headless test runs) or when CCHC_XL_NO_DIALOG is set.
Private Function DialogsAllowed() As Boolean
    On Error Resume Next
    DialogsAllowed = (Len(Environ("CCHC_XL_NO_DIALOG")) = 0) And RunsInExcel()
End Function

' LibreOffice answers "Microsoft Excel" to Application.Name and Nothing (no error) to Application.VBE,
' but it has no Application.Build (error 423), which every Excel has.
Private Function RunsInExcel() As Boolean
    Dim build As Variant
    On Error Resume Next
    build = Application.Build
    RunsInExcel = (Err.Number = 0) And Not IsEmpty(build)
    Err.Clear
End Function

' ------------------------------------------------------- Vietnamese text

' "Kiem tra" with diacritics.
Private Function TextTitle() As String
    TextTitle = "Ki" & ChrW(&H1EC3) & "m tra"
End Function

' "Canh bao" with diacritics: the severity label of a warning row.
Private Function TextWarningLabel() As String
    TextWarningLabel = "C" & ChrW(&H1EA3) & "nh b" & ChrW(&HE1) & "o"
End Function

' "{e} loi, {w} canh bao - xem trang Kiem tra", or "Khong phat hien loi." when both are 0.
Private Function TextSummary(ByVal errors As Long, ByVal warnings As Long) As String
    If errors = 0 And warnings = 0 Then
        TextSummary = "Kh" & ChrW(&HF4) & "ng ph" & ChrW(&HE1) & "t hi" & ChrW(&H1EC7) & "n l" & ChrW(&H1ED7) & "i."
    Else
        TextSummary = CStr(errors) & " l" & ChrW(&H1ED7) & "i, " & CStr(warnings) & " c" & ChrW(&H1EA3) & _
            "nh b" & ChrW(&HE1) & "o " & ChrW(&H2014) & " xem trang " & TextTitle()
    End If
End Function

' "Da xoa danh dau {n} o."
Private Function TextCleared(ByVal count As Long) As String
    TextCleared = ChrW(&H110) & ChrW(&HE3) & " x" & ChrW(&HF3) & "a " & ChrW(&H111) & ChrW(&HE1) & "nh d" & _
        ChrW(&H1EA5) & "u " & CStr(count) & " " & ChrW(&HF4) & "."
End Function

' "Khong kiem tra duoc: "
Private Function TextFailed() As String
    TextFailed = "Kh" & ChrW(&HF4) & "ng ki" & ChrW(&H1EC3) & "m tra " & ChrW(&H111) & ChrW(&H1B0) & ChrW(&H1EE3) & _
        "c: "
End Function
