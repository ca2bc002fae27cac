-- Checks that a configuration from docs/editors/neovim.md, loaded as the init file, attaches importsense.
--
-- Run by tests/editors/test_neovim.py as
--   nvim --headless -i NONE -u <snippet>.lua -c 'lua dofile(os.getenv("IMPORTSENSE_NVIM_PROBE"))'
-- with IMPORTSENSE_NVIM_PROJECT (a copy of examples/backend), IMPORTSENSE_NVIM_RESULT (the JSON report)
-- and IMPORTSENSE_NVIM_TIMEOUT_MS. It opens two Python files of the project the way a person does
-- (`:edit`, so the snippet's own FileType hook has to start and attach the server), waits for one
-- diagnostic in each, records the clients, stops them and quits.

local result = { clients = {}, waits = {} }
local timeout = tonumber(os.getenv('IMPORTSENSE_NVIM_TIMEOUT_MS') or '') or 20000
local has_011 = vim.fn.has('nvim-0.11') == 1

local function clients(filter)
  if vim.lsp.get_clients then -- 0.10+
    return vim.lsp.get_clients(filter)
  end
  return vim.lsp.get_active_clients(filter)
end

local function importsense_clients()
  local all = clients()
  local out = {}
  for _, client in ipairs(all) do
    if client.name == 'importsense' then
      table.insert(out, client)
    end
  end
  return out
end

local function wait_for_code(file, code, lnum)
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local t0 = vim.loop.hrtime()
  local ok = vim.wait(timeout, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr, { lnum = lnum })) do
      if d.code == code then
        return true
      end
    end
    return false
  end, 20)
  local codes = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(codes, ('%d:%s'):format(d.lnum + 1, tostring(d.code)))
  end
  table.insert(result.waits, {
    file = file,
    code = code,
    ok = ok,
    ms = math.floor((vim.loop.hrtime() - t0) / 1e6),
    filetype = vim.bo[bufnr].filetype,
    attached = #clients({ bufnr = bufnr }) > 0,
    diagnostics = codes,
  })
end

local function main()
  local version = vim.version()
  result.nvim = ('%d.%d.%d'):format(version.major, version.minor, version.patch)
  vim.cmd('cd ' .. vim.fn.fnameescape(os.getenv('IMPORTSENSE_NVIM_PROJECT')))
  wait_for_code('app/ws/manager.py', 'relative-import', 2)
  wait_for_code('tests/integration/test_rate_limit.py', 'missing-name', 0)
  for _, client in ipairs(importsense_clients()) do
    table.insert(result.clients, {
      id = client.id,
      root_dir = client.config.root_dir,
      cmd = client.config.cmd,
      init_options = client.config.init_options,
    })
  end
  for _, client in ipairs(importsense_clients()) do
    if has_011 then
      client:stop()
    else
      client.stop()
    end
  end
  vim.wait(5000, function()
    return #importsense_clients() == 0
  end, 20)
  result.stopped = #importsense_clients() == 0
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  result.fatal = tostring(err)
end
local file = assert(io.open(os.getenv('IMPORTSENSE_NVIM_RESULT'), 'w'))
file:write(vim.fn.json_encode(result))
file:close()
vim.cmd('qall!')
