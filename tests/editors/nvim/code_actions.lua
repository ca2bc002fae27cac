-- Drives importsense's language server from a headless Neovim (0.7 through 0.12) and writes what happened as JSON.
--
-- Run by tests/editors/test_neovim.py:
--   0.9+: nvim --headless --clean -u NONE -l code_actions.lua
--   0.7:  nvim --headless --clean -u NONE -c 'lua dofile(os.getenv("IMPORTSENSE_NVIM_SCRIPT"))' (no -l yet)
-- Inputs (environment):
--   IMPORTSENSE_NVIM_PROJECT     a copy of examples/backend (files here are edited and written)
--   IMPORTSENSE_NVIM_SERVER_CMD  the server command as a JSON array, e.g. ["python3", "-m", "importsense", "serve"]
--   IMPORTSENSE_NVIM_SCENARIOS   JSON array of {name, file, line, code, action}: in `file` (relative to the
--                                project), wait for a diagnostic `code` on `line` (1-based), then apply the
--                                code action whose title starts with `action`
--   IMPORTSENSE_NVIM_RESULT      where to write the JSON result
--   IMPORTSENSE_NVIM_TIMEOUT_MS  how long one wait may take (default 20000)
-- The script always writes the result file and quits, also when a step fails (`fatal` says which and why).
--
-- What it does, as a person would:
--   1. open the first scenario's file and start the server on the project (0.7: vim.lsp.start_client +
--      buf_attach_client; 0.8+: vim.lsp.start); later Python buffers attach from a FileType autocmd;
--   2. per scenario: open the file, wait for the diagnostic (pushed on 0.7, pulled or pushed on 0.10+), ask
--      for code actions with that diagnostic in the context, send codeAction/resolve for each action that
--      came without an edit (0.7 does that for whichever action a person picks, command-only ones
--      included), pick one by title, resolve it when it has no edit, apply its workspace edit (it may
--      land in a file no window shows), :wall, and wait for the diagnostic to go away;
--   3. run the workspace command importsense.convertWorkspaceToAbsolute (its edits come back as
--      workspace/applyEdit) and :wall;
--   4. resolve two actions the server never made (they must come back unchanged) and the actions applied
--      above, whose text has changed since (they must still get an answer, not an error);
--   5. stop the server and check it exited.

local result = {
  steps = {},
  messages = {},
  errors = {},
}
local started = vim.loop.hrtime()
local result_path = os.getenv('IMPORTSENSE_NVIM_RESULT')
local timeout = tonumber(os.getenv('IMPORTSENSE_NVIM_TIMEOUT_MS') or '') or 20000
local has_08 = vim.fn.has('nvim-0.8') == 1
local has_011 = vim.fn.has('nvim-0.11') == 1

local function elapsed_ms(since)
  return math.floor((vim.loop.hrtime() - (since or started)) / 1e6)
end

local function step(name, fn)
  local t0 = vim.loop.hrtime()
  local value = fn()
  table.insert(result.steps, { name = name, ms = elapsed_ms(t0) })
  return value
end

local function env(name)
  local value = os.getenv(name)
  assert(value and value ~= '', name .. ' is not set')
  return value
end

local function write_result()
  result.total_ms = elapsed_ms()
  local encode = (vim.json and vim.json.encode) or vim.fn.json_encode
  local ok, text = pcall(encode, result)
  if not ok then
    text = vim.fn.json_encode({ fatal = 'could not encode the result: ' .. tostring(text) })
  end
  local file = assert(io.open(result_path, 'w'))
  file:write(text)
  file:close()
end

-- Client methods: `client.request_sync(...)` on 0.7-0.10, `client:request_sync(...)` from 0.11.
local function request_sync(client, method, params, bufnr)
  if has_011 then
    return client:request_sync(method, params, timeout, bufnr)
  end
  return client.request_sync(method, params, timeout, bufnr)
end

local function get_client(client_id)
  return vim.lsp.get_client_by_id(client_id)
end

-- Where a diagnostic came from: 0.7 only knows push; 0.10+ has a separate namespace for pull.
local function namespace_kind(client_id, namespace)
  if vim.fn.has('nvim-0.10') == 1 then
    if namespace == vim.lsp.diagnostic.get_namespace(client_id, true) then
      return 'pull'
    end
    if namespace == vim.lsp.diagnostic.get_namespace(client_id, false) then
      return 'push'
    end
    return 'other'
  end
  if namespace == vim.lsp.diagnostic.get_namespace(client_id) then
    return 'push'
  end
  return 'other'
end

local function diagnostics_of(client_id, bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(out, {
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      code = d.code,
      severity = d.severity,
      message = d.message,
      source = d.source,
      via = namespace_kind(client_id, d.namespace),
    })
  end
  table.sort(out, function(a, b)
    if a.lnum ~= b.lnum then
      return a.lnum < b.lnum
    end
    return tostring(a.code) < tostring(b.code)
  end)
  return out
end

local function has_diagnostic(bufnr, code, lnum)
  for _, d in ipairs(vim.diagnostic.get(bufnr, { lnum = lnum })) do
    if d.code == code then
      return true
    end
  end
  return false
end

-- The LSP form of the diagnostics on a line, as each Neovim builds a code action context.
local function lsp_diagnostics(bufnr, lnum)
  if not has_08 then
    return vim.lsp.diagnostic.get_line_diagnostics(bufnr, lnum)
  end
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr, { lnum = lnum })) do
    if d.user_data and d.user_data.lsp then
      local lsp = vim.deepcopy(d.user_data.lsp)
      if not lsp.range then -- 0.8/0.9 keep only part of the diagnostic in user_data
        lsp.range = {
          start = { line = d.lnum, character = d.col },
          ['end'] = { line = d.end_lnum, character = d.end_col },
        }
        lsp.message = d.message
        lsp.severity = d.severity
        lsp.source = d.source
      end
      table.insert(out, lsp)
    end
  end
  return out
end

local function find_diagnostic(bufnr, code, lnum)
  for _, d in ipairs(lsp_diagnostics(bufnr, lnum)) do
    if d.code == code then
      return d
    end
  end
  error(('no %s diagnostic on line %d of %s'):format(code, lnum + 1, vim.api.nvim_buf_get_name(bufnr)))
end

local function wait_for(what, predicate)
  local t0 = vim.loop.hrtime()
  local ok = vim.wait(timeout, predicate, 20)
  table.insert(result.steps, { name = 'wait: ' .. what, ms = elapsed_ms(t0), ok = ok })
  return ok
end

local function request_code_actions(client, bufnr, diagnostic)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = diagnostic.range,
    context = { diagnostics = { diagnostic } },
  }
  local response, reason = request_sync(client, 'textDocument/codeAction', params, bufnr)
  assert(response, 'textDocument/codeAction got no answer: ' .. tostring(reason))
  assert(not response.err, 'textDocument/codeAction failed: ' .. vim.inspect(response.err))
  return response.result or {}
end

local function titles(actions)
  local out = {}
  for _, action in ipairs(actions) do
    table.insert(out, action.title)
  end
  return out
end

local function pick(actions, prefix)
  for _, action in ipairs(actions) do
    if action.title:sub(1, #prefix) == prefix then
      return action
    end
  end
  error(('no code action starting with %q; got: %s'):format(prefix, table.concat(titles(actions), ' | ')))
end

-- Resolve when the action has no edit (what both Neovims do before applying), apply, and say how it went.
local function apply_action(client, bufnr, action, record)
  record.title = action.title
  record.had_edit = action.edit ~= nil
  if not action.edit then
    local response, reason = request_sync(client, 'codeAction/resolve', action, bufnr)
    assert(response, 'codeAction/resolve got no answer: ' .. tostring(reason))
    assert(not response.err, 'codeAction/resolve failed: ' .. vim.inspect(response.err))
    action = response.result
    record.resolved = true
  end
  assert(action and action.edit, 'the action has no edit, even after codeAction/resolve: ' .. vim.inspect(action))
  local files = {}
  for uri, _ in pairs(action.edit.changes or {}) do
    table.insert(files, vim.uri_to_fname(uri))
  end
  for _, change in ipairs(action.edit.documentChanges or {}) do
    if change.textDocument then
      table.insert(files, vim.uri_to_fname(change.textDocument.uri))
    end
  end
  table.sort(files)
  record.edited_files = files
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
end

-- codeAction/resolve as a round-trip check: record whether the server answered, erred, or changed it.
local function resolve_check(client, bufnr, action, label)
  local response, reason = request_sync(client, 'codeAction/resolve', action, bufnr)
  local entry = { label = label, title = action.title, answered = response ~= nil, reason = reason }
  if response then
    entry.err = response.err and vim.inspect(response.err) or nil
    local resolved = response.result
    entry.has_edit = type(resolved) == 'table' and resolved.edit ~= nil
    entry.unchanged = vim.deep_equal(resolved, action)
  end
  table.insert(result.resolves, entry)
end

local function is_command_only(action)
  return type(action.command) == 'string' or (action.command ~= nil and action.edit == nil and action.kind == nil)
end

local function run_scenario(client, client_id, scenario)
  local record = { name = scenario.name, file = scenario.file }
  result.scenarios[scenario.name] = record
  vim.cmd('edit ' .. vim.fn.fnameescape(scenario.file))
  local bufnr = vim.api.nvim_get_current_buf()
  if vim.bo[bufnr].filetype ~= 'python' then
    vim.bo[bufnr].filetype = 'python' -- FileType attaches the buffer, as an autostart config does
  end
  record.attached = vim.lsp.buf_is_attached(bufnr, client_id)
  local lnum = scenario.line - 1
  local where = ('%s:%d'):format(scenario.file, scenario.line)

  local got = wait_for(scenario.code .. ' at ' .. where, function()
    return has_diagnostic(bufnr, scenario.code, lnum)
  end)
  record.diagnostics = diagnostics_of(client_id, bufnr)
  assert(got, ('no %s diagnostic at %s after %d ms'):format(scenario.code, where, timeout))

  local diagnostic = find_diagnostic(bufnr, scenario.code, lnum)
  record.has_data = diagnostic.data ~= nil
  local actions = step('codeAction ' .. where, function()
    return request_code_actions(client, bufnr, diagnostic)
  end)
  result.actions[scenario.name] = actions
  record.titles = titles(actions)
  -- What 0.7 does for whichever action a person picks: resolve it when it has no edit. Done for every
  -- such action here, while the text they were made for is still there.
  for _, action in ipairs(actions) do
    if not action.edit then
      resolve_check(client, bufnr, action, is_command_only(action) and 'server command-only' or 'server action')
    end
  end
  -- No request in flight (a diagnostic pull above all) when the edit lands, so whatever updates the
  -- diagnostics afterwards was caused by the edit.
  wait_for('no pending requests', function()
    for _, request in pairs(client.requests or {}) do
      if request.type == 'pending' then
        return false
      end
    end
    return true
  end)
  step('apply ' .. scenario.name, function()
    apply_action(client, bufnr, pick(actions, scenario.action), record)
  end)
  vim.cmd('silent wall')
  record.modified_after_wall = {}
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and vim.bo[b].modified then
      table.insert(record.modified_after_wall, vim.api.nvim_buf_get_name(b))
    end
  end
  record.cleared = wait_for(scenario.code .. ' gone from ' .. where, function()
    return not has_diagnostic(bufnr, scenario.code, lnum)
  end)
  record.diagnostics_after = diagnostics_of(client_id, bufnr)
end

local function main()
  local project = env('IMPORTSENSE_NVIM_PROJECT')
  local cmd = vim.fn.json_decode(env('IMPORTSENSE_NVIM_SERVER_CMD'))
  local scenarios = vim.fn.json_decode(env('IMPORTSENSE_NVIM_SCENARIOS'))
  local version = vim.version()
  result.nvim = ('%d.%d.%d'):format(version.major, version.minor, version.patch)
  result.api = has_08 and 'vim.lsp.start' or 'vim.lsp.start_client'
  result.scenarios = {}
  result.actions = {}
  result.resolves = {}

  -- Record what the server tells the person, and errors the client sees.
  for _, method in ipairs({ 'window/showMessage', 'window/logMessage' }) do
    vim.lsp.handlers[method] = function(_, params)
      if params and params.type and params.type <= 2 then -- errors and warnings only
        table.insert(result.messages, { method = method, type = params.type, message = params.message })
      end
    end
  end

  vim.cmd('filetype on')
  vim.cmd('cd ' .. vim.fn.fnameescape(project))

  local config = {
    name = 'importsense',
    cmd = cmd,
    root_dir = project,
    init_options = { debounce = 0, collection = 'off' },
    on_error = function(code, err)
      table.insert(result.errors, ('client error %s: %s'):format(tostring(code), vim.inspect(err)))
    end,
  }

  -- Open the first file and start the server on the project.
  vim.cmd('edit ' .. vim.fn.fnameescape(scenarios[1].file))
  local first = vim.api.nvim_get_current_buf()
  if vim.bo[first].filetype ~= 'python' then
    vim.bo[first].filetype = 'python'
  end
  local client_id = step('start server', function()
    if has_08 then
      return vim.lsp.start(config)
    end
    local id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(first, id)
    return id
  end)
  assert(client_id, 'the client did not start')

  -- Python buffers loaded later (files opened, or loaded by an edit to another file) attach like an
  -- autostart config does: 0.7 attaches the running client, 0.8+ calls vim.lsp.start, which reuses it.
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'python',
    callback = function(args)
      if has_08 then
        vim.lsp.start(config, { bufnr = args.buf })
      else
        vim.lsp.buf_attach_client(args.buf, client_id)
      end
    end,
  })

  assert(
    wait_for('initialize', function()
      local client = get_client(client_id)
      return client ~= nil and client.initialized == true
    end),
    'the server did not initialize'
  )
  local client = get_client(client_id)
  local caps = client.server_capabilities
  result.capabilities = {
    code_action = caps.codeActionProvider or false,
    diagnostic = caps.diagnosticProvider or false,
    text_document_sync = caps.textDocumentSync or false,
  }
  result.offset_encoding = client.offset_encoding

  for _, scenario in ipairs(scenarios) do
    run_scenario(client, client_id, scenario)
  end

  -- The workspace command: the server sends its edits back with workspace/applyEdit.
  local command_response, command_reason = step('convertWorkspaceToAbsolute', function()
    return request_sync(client, 'workspace/executeCommand', {
      command = 'importsense.convertWorkspaceToAbsolute',
      arguments = {},
    }, first)
  end)
  result.command = {
    answered = command_response ~= nil,
    reason = command_reason,
    err = command_response and command_response.err and vim.inspect(command_response.err) or nil,
    result = command_response and command_response.result or nil,
  }
  vim.cmd('silent wall')
  result.command.modified_after_wall = {}
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and vim.bo[b].modified then
      table.insert(result.command.modified_after_wall, vim.api.nvim_buf_get_name(b))
    end
  end

  -- Actions the server never made must come back unchanged; actions made for text that has since
  -- changed (the fixes above were applied) must still get an answer, not an error.
  resolve_check(client, first, {
    title = 'Run a command importsense never offered',
    command = { title = 'Unknown', command = 'importsense.test.notACommand', arguments = { 1, 'two' } },
  }, 'foreign command-only')
  resolve_check(client, first, {
    title = 'An action from another server',
    kind = 'quickfix',
    data = { from = 'elsewhere' },
  }, 'foreign data')
  for _, scenario in ipairs(scenarios) do
    local picked = pick(result.actions[scenario.name], scenario.action)
    if not picked.edit then
      resolve_check(client, first, picked, 'stale server action')
    end
  end

  -- Stop the server.
  vim.lsp.stop_client(client_id)
  result.server_stopped = wait_for('server exit', function()
    local c = get_client(client_id)
    if c == nil then
      return true
    end
    if has_011 then
      return c:is_stopped()
    end
    return c.is_stopped()
  end)
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  result.fatal = tostring(err)
end
if result_path then
  write_result()
end
vim.cmd('qall!')
