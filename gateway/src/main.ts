import { createLogger, loadConfigOrExit, runMain } from '@flashsale/platform';
import { startGateway } from './gateway';

const config = loadConfigOrExit(process.env, 'gateway');
const logger = createLogger(config, 'gateway');
void runMain(logger, () => startGateway(config, logger), config.SHUTDOWN_GRACE_MS);
