import { createLogger, loadConfigOrExit, runMain } from '@flashsale/platform';
import { startGateway } from './gateway';

const config = loadConfigOrExit();
const logger = createLogger(config, 'gateway');
void runMain(logger, () => startGateway(config, logger), config.SHUTDOWN_GRACE_MS);
